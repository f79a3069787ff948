package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking waits of the client's synchronous calls, with one way of reporting what went wrong. */
final class Await {

  private Await() {}

  /**
   * The stage's value. Its own failure is rethrown as it is (a {@link TributaryException} mostly);
   * no answer within {@code timeout} is REQUEST_TIMED_OUT with {@code noAnswer} as the message.
   */
  static <T> T result(CompletionStage<T> stage, Duration timeout, String noAnswer) {
    try {
      return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new TributaryException(ErrorCode.UNKNOWN_SERVER_ERROR, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TributaryException(ErrorCode.REQUEST_TIMED_OUT, noAnswer + " (interrupted)");
    } catch (TimeoutException e) {
      throw new TributaryException(ErrorCode.REQUEST_TIMED_OUT, noAnswer);
    }
  }
}
