package dev.tributary.journal.segment;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: one queue per log, so one
 * log's work is serial while different logs run in parallel and one log's fsync never waits for
 * another's.
 */
final class SerialExecutor implements Executor {

  private static final Logger log = LoggerFactory.getLogger(SerialExecutor.class);
  /** Tasks run before giving the thread back, so busy logs do not starve others. */
  private static final int TASKS_PER_TURN = 64;

  private final Executor delegate;
  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  SerialExecutor(Executor delegate) {
    this.delegate = delegate;
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    scheduleIfIdle();
  }

  private void scheduleIfIdle() {
    if (scheduled.compareAndSet(false, true)) {
      delegate.execute(this::runTurn);
    }
  }

  private void runTurn() {
    try {
      for (int i = 0; i < TASKS_PER_TURN; i++) {
        Runnable task = tasks.poll();
        if (task == null) {
          break;
        }
        try {
          task.run();
        } catch (Throwable t) {
          log.error("Storage task failed", t);
        }
      }
    } finally {
      scheduled.set(false);
      if (!tasks.isEmpty()) {
        scheduleIfIdle();
      }
    }
  }
}
