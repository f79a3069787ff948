package dev.tributary.node.cli;

/**
 * Holds a sender to about {@code target} records a second, the way Kafka's tools do (its {@code
 * ThroughputThrottler}): once the average rate since the start is above the target, each call of
 * {@link #throttle} owes 1/target seconds of sleep, paid in naps of at least 2 ms. A negative
 * target means no limit. {@link #wakeup} ends a nap early, so a stop is not held up by it.
 */
final class ThroughputThrottler {

  private static final long MIN_NAP_NANOS = 2_000_000L;

  private final double target;
  private final long startMs;
  private final long nanosPerRecord;
  private long owedNanos;
  private boolean awake;

  ThroughputThrottler(double target, long startMs) {
    this.target = target;
    this.startMs = startMs;
    this.nanosPerRecord = target > 0 ? (long) (1_000_000_000L / target) : Long.MAX_VALUE;
  }

  /** Whether {@code sentSoFar} records by {@code nowMs} is above the target's average. */
  boolean shouldThrottle(long sentSoFar, long nowMs) {
    if (target < 0) {
      return false;
    }
    double seconds = (nowMs - startMs) / 1000.0;
    return seconds > 0 && sentSoFar / seconds > target;
  }

  /** Adds one record's share of sleep to what is owed, and sleeps once 2 ms or more are owed. */
  void throttle() {
    owedNanos += nanosPerRecord;
    if (owedNanos < MIN_NAP_NANOS) {
      return;
    }
    long napStart = System.nanoTime();
    synchronized (this) {
      try {
        long left = owedNanos;
        while (!awake && left > 0) {
          wait(left / 1_000_000, (int) (left % 1_000_000));
          left = owedNanos - (System.nanoTime() - napStart);
        }
        owedNanos = 0;
      } catch (InterruptedException e) {
        owedNanos = Math.max(0, owedNanos - (System.nanoTime() - napStart));
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Ends the current nap and every later one: the sender is stopping. */
  synchronized void wakeup() {
    awake = true;
    notifyAll();
  }
}
