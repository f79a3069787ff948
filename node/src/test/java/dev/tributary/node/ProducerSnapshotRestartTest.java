package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.journal.segment.LogFiles;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent-producer state across restarts: a partition writes a producer snapshot when its log
 * rolls a segment and when it stops cleanly, and at start reads the newest snapshot plus only the
 * log after it (counted by tributary_producer_state_scanned_batches_total), still deduplicating
 * retries of batches from before the restart.
 */
class ProducerSnapshotRestartTest {

  private static final String TOPIC = "snap";
  private static final long PRODUCER = 4242;
  private static final int BATCHES = 40;

  @TempDir Path dir;

  /** Batch {@code i} of the producer: one record, sequence {@code i}. */
  private static RecordBatch batch(int i) {
    return new RecordBatchBuilder().add(null, new byte[500], List.of(), System.currentTimeMillis())
        .build(PRODUCER, (short) 0, i);
  }

  private static ProduceResponse produce(TributaryClient client, int i) {
    return await(client.produce(TOPIC, 0, batch(i), Acks.ALL, Duration.ofSeconds(10)));
  }

  /** A broker run that creates the topic (segments of 2 KiB: a roll every few batches) and fills it. */
  private void fill() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic(TOPIC, 1, Map.of("segment.bytes", "2048")));
      for (int i = 0; i < BATCHES; i++) {
        assertEquals(i, produce(client, i).baseOffset());
      }
    }
  }

  private Path log() {
    return dir.resolve("journal").resolve(LogFiles.directoryName(TOPIC + "-0"));
  }

  private List<Long> snapshots() throws IOException {
    try (Stream<Path> files = Files.list(log())) {
      return files.map(f -> LogFiles.parseProducerSnapshotFileName(f.getFileName().toString()))
          .filter(o -> o.isPresent()).map(o -> o.getAsLong()).sorted().toList();
    }
  }

  /** Restarts, checks that retries are still duplicates and new batches follow; returns batches scanned. */
  private long restartAndCheckDeduplication() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      for (int i : new int[] {BATCHES - 1, BATCHES - 20}) {
        ProduceResponse retried = produce(client, i);
        assertEquals(ErrorCode.NONE, retried.error(), retried.errorMessage());
        assertEquals(i, retried.baseOffset(), "batch " + i + " answered with its original offset");
      }
      assertEquals(BATCHES, await(client.listOffsets(TOPIC, 0, ListOffsets.LATEST)).offset(), "nothing stored twice");
      ProduceResponse gap = produce(client, BATCHES + 1);
      assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.error(), "the sequence survived the restart");
      assertEquals(BATCHES, produce(client, BATCHES).baseOffset(), "the next batch follows on");
      return scannedBatches(broker);
    }
  }

  /** tributary_producer_state_scanned_batches_total of the topic, from the broker's /metrics. */
  private static long scannedBatches(TestBroker broker) throws Exception {
    HttpResponse<String> metrics = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + broker.broker().adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    String prefix = "tributary_producer_state_scanned_batches_total{topic=\"" + TOPIC + "\"} ";
    return metrics.body().lines().filter(l -> l.startsWith(prefix))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(prefix.length()))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + "in /metrics"));
  }

  @Test
  void aCleanRestartStartsFromTheSnapshotAtTheLogEndAndReadsNoLog() throws Exception {
    fill();
    List<Long> snapshots = snapshots();
    assertEquals(2, snapshots.size(), "the newest two are kept: " + snapshots);
    assertEquals(BATCHES, snapshots.get(1), "written at the log end when the partition stopped");
    assertEquals(0, restartAndCheckDeduplication(), "no batch re-read");
  }

  @Test
  void withoutTheStopSnapshotOnlyTheLogAfterTheLastRollsSnapshotIsRead() throws Exception {
    fill();
    // As a crash would leave it (the stop is clean here; KillNineTest kills a broker for real): no
    // snapshot at the log end, so the newest is the one taken after the last roll.
    Files.delete(LogFiles.producerSnapshotFile(log(), BATCHES));
    long rollSnapshot = snapshots().get(snapshots().size() - 1);
    assertTrue(rollSnapshot > 0 && rollSnapshot < BATCHES, "taken after a roll: " + rollSnapshot);
    assertEquals(BATCHES - rollSnapshot, restartAndCheckDeduplication(), "one record per batch: only the batches after it");
  }

  @Test
  void withoutAnySnapshotTheWholeLogIsRead() throws Exception {
    fill();
    for (long s : snapshots()) {
      Files.delete(LogFiles.producerSnapshotFile(log(), s));
    }
    assertEquals(BATCHES, restartAndCheckDeduplication(), "every batch from the log start");
  }

  @Test
  void aPartitionWrittenToSnapshotsEveryIntervalWithoutARollOrAStop() throws Exception {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.broker.producer-snapshot-interval", "200ms")
        .with("tributary.broker.retention-check-interval", "100ms");
    try (TestBroker broker = TestBroker.start(settings); TributaryClient client = broker.client()) {
      await(client.createTopic(TOPIC, 1, Map.of()));
      for (int i = 0; i < 10; i++) {
        assertEquals(i, produce(client, i).baseOffset());
      }
      Path snapshot = LogFiles.producerSnapshotFile(log(), 10);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!Files.exists(snapshot) && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // polling the file
      }
      assertTrue(Files.exists(snapshot), "a snapshot at the log end while the broker runs: " + snapshots());
    }
  }
}
