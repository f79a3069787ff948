package dev.tributary.node.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * {@code perf produce}'s latencies: all of them for the summary, and a line per reporting interval
 * as Kafka's ProducerPerformance prints, with that interval's own percentiles added, so that a
 * tail can be seen over time (a p99 made of one bad second, or of every second). One lock per
 * record; safe from the producer's callback threads.
 */
final class ProduceProgress {

  /** Latencies up to an hour, three significant digits. */
  private static final long MAX_MICROS = 3_600_000_000L;

  private final PrintWriter out;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private final Histogram interval = new Histogram(MAX_MICROS, 3);
  private long intervalStart;
  private long bytes;

  ProduceProgress(PrintWriter out, long intervalMillis, LongSupplier nanoClock) {
    this.out = out;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.nanoClock = nanoClock;
    this.intervalStart = nanoClock.getAsLong();
  }

  /** Every latency recorded so far. */
  synchronized Histogram total() {
    return total.copy();
  }

  /** One record acknowledged after {@code micros}; prints the interval's line when it is over. */
  synchronized void record(long micros, int size) {
    long clamped = Math.min(micros, MAX_MICROS);
    total.recordValue(clamped);
    interval.recordValue(clamped);
    bytes += size;
    // The clock once per 64 records: cheap at 500k records/s, still on time at 100.
    if ((interval.getTotalCount() & 63) != 0) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (now - intervalStart >= intervalNanos) {
      print(now);
    }
  }

  private void print(long now) {
    double seconds = (now - intervalStart) / 1e9;
    long count = interval.getTotalCount();
    out.printf(Locale.ROOT, "%d records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, "
            + "%.1f ms max latency, %.1f ms 50th, %.1f ms 99th, %.1f ms 99.9th.%n",
        count, count / seconds, bytes / seconds / (1024.0 * 1024.0), interval.getMean() / 1000.0,
        interval.getMaxValue() / 1000.0, interval.getValueAtPercentile(50) / 1000.0,
        interval.getValueAtPercentile(99) / 1000.0, interval.getValueAtPercentile(99.9) / 1000.0);
    out.flush();
    interval.reset();
    bytes = 0;
    intervalStart = now;
  }
}
