package dev.tributary.journal.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The serial queue of one log: its tasks run one at a time, in order, on the shared I/O executor
 * ({@link SerialExecutor}), and a task that needs the log open or writable runs only if the log
 * is, when its turn comes. The log decides what "open" and "writable" mean ({@link Gate}).
 *
 * <p>Threading: {@link #execute} and {@link #submit} from any thread; the tasks and the gate run
 * on the queue, one at a time, so a task sees the effects of every task queued before it.
 */
final class LogQueue {

  /** A task that may do blocking file I/O. */
  interface IoTask<T> {
    T run() throws IOException;
  }

  /** What a queued task needs of the log to run. */
  enum Needs {
    NOTHING,
    /** Recovered and not closed: reads, also of an offline log. */
    OPEN,
    /** Open and not offline: anything that writes. */
    WRITABLE
  }

  /** Says, on the queue, why a task that {@code needs} this may not run now; null if it may. */
  interface Gate {
    RuntimeException refusal(Needs needs);
  }

  private final SerialExecutor executor;
  private final Gate gate;

  LogQueue(Executor ioExecutor, Gate gate) {
    this.executor = new SerialExecutor(ioExecutor);
    this.gate = gate;
  }

  /** Queues {@code task} without a gate, for the log's own work (recovery, draining writes). */
  void execute(Runnable task) {
    executor.execute(task);
  }

  /**
   * Queues {@code task}; completes with its result, or with the gate's refusal, an I/O failure
   * (as {@link UncheckedIOException}) or the task's own exception.
   */
  <T> CompletableFuture<T> submit(Needs needs, IoTask<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    executor.execute(() -> {
      RuntimeException refused = gate.refusal(needs);
      if (refused != null) {
        result.completeExceptionally(refused);
        return;
      }
      try {
        result.complete(task.run());
      } catch (IOException e) {
        result.completeExceptionally(new UncheckedIOException(e));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    });
    return result;
  }
}
