package dev.tributary.node.group;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline: checks it, pauses briefly, checks again. The pause only
 * spaces the checks; the wait ends as soon as the condition holds, and fails when the deadline
 * passes, saying what it waited for.
 */
final class Eventually {

  private static final Duration PAUSE = Duration.ofMillis(50);

  /** Waits until {@code condition} holds, or fails after {@code within} with {@code what}'s text. */
  static void until(Duration within, BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up after " + within.toSeconds() + " s waiting for " + what.get());
      }
      try {
        Thread.sleep(PAUSE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what.get(), e);
      }
    }
  }

  private Eventually() {}
}
