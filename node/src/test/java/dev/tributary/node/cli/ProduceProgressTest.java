package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** {@code perf produce}'s progress lines: each interval's own latencies, and all of them in the total. */
class ProduceProgressTest {

  private final StringWriter printed = new StringWriter();
  private final AtomicLong nanos = new AtomicLong();
  private final ProduceProgress progress = new ProduceProgress(new PrintWriter(printed), 1_000, nanos::get);

  @Test
  void eachIntervalPrintsItsOwnPercentilesAndStartsAfresh() {
    // First second: 126 fast records (2 ms), then two slow ones (250 ms): its p99.
    for (int i = 0; i < 126; i++) {
      progress.record(2_000, 100);
    }
    progress.record(250_000, 100);
    nanos.set(1_000_000_000L);
    progress.record(250_000, 100);
    // Second second: 64 records, all at 3 ms.
    for (int i = 0; i < 63; i++) {
      progress.record(3_000, 100);
    }
    nanos.set(2_000_000_000L);
    progress.record(3_000, 100);

    List<String> lines = printed.toString().lines().toList();
    assertEquals(2, lines.size(), printed.toString());
    // 250.1: HdrHistogram reports the top of a value's bucket (three significant digits).
    assertEquals("128 records sent, 128.0 records/sec (0.01 MB/sec), 5.9 ms avg latency, 250.1 ms max latency, "
        + "2.0 ms 50th, 250.1 ms 99th, 250.1 ms 99.9th.", lines.get(0));
    assertEquals("64 records sent, 64.0 records/sec (0.01 MB/sec), 3.0 ms avg latency, 3.0 ms max latency, "
        + "3.0 ms 50th, 3.0 ms 99th, 3.0 ms 99.9th.", lines.get(1), "the slow records stay in their own second");
    assertEquals(192, progress.total().getTotalCount());
    assertTrue(progress.total().getMaxValue() >= 250_000, "the total keeps every latency");
  }

  @Test
  void nothingIsPrintedBeforeTheIntervalIsOver() {
    for (int i = 0; i < 1_000; i++) {
      nanos.addAndGet(900_000); // 0.9 s in all
      progress.record(1_000, 10);
    }
    assertEquals("", printed.toString());
  }
}
