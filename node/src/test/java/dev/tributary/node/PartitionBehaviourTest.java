package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotence, long polls, offset bounds and retention, through the client against a real broker. */
class PartitionBehaviourTest {

  @TempDir static Path dir;
  private static TestBroker broker;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.journal.segment-bytes", "4096")
        .with("tributary.broker.retention-check-interval", "200ms"));
    client = broker.client();
  }

  @AfterAll
  static void stop() {
    client.close();
    broker.close();
  }

  private static RecordBatch batch(long producerId, int baseSequence, String... values) {
    RecordBatchBuilder builder = new RecordBatchBuilder();
    for (String v : values) {
      builder.add(null, v.getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis());
    }
    return producerId < 0 ? builder.build() : builder.build(producerId, (short) 0, baseSequence);
  }

  private static ProduceResponse produce(String topic, RecordBatch batch) {
    return await(client.produce(topic, 0, batch, Acks.ALL, Duration.ofSeconds(10)));
  }

  private static long highWatermark(String topic) {
    return await(client.listOffsets(topic, 0, ListOffsets.LATEST)).offset();
  }

  @Test
  void aRetriedBatchAfterALostReplyIsAnsweredWithItsOriginalOffsetAndStoredOnce() {
    await(client.createTopic("idempotent", 1, Map.of()));
    RecordBatch first = batch(77, 0, "a", "b");
    assertEquals(0, produce("idempotent", first).baseOffset());
    // the reply was "lost": the producer sends the very same batch again
    ProduceResponse retried = produce("idempotent", first);
    assertEquals(ErrorCode.NONE, retried.error());
    assertEquals(0, retried.baseOffset());
    assertEquals(2, highWatermark("idempotent"), "the retry was not stored twice");
    assertEquals(2, produce("idempotent", batch(77, 2, "c")).baseOffset());
  }

  @Test
  void aGapInSequenceNumbersIsRejectedAndNothingIsStored() {
    await(client.createTopic("gaps", 1, Map.of()));
    produce("gaps", batch(88, 0, "a"));
    ProduceResponse gap = produce("gaps", batch(88, 5, "f"));
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.error());
    assertTrue(gap.errorMessage().contains("expected"), gap.errorMessage());
    assertEquals(1, highWatermark("gaps"));
  }

  @Test
  void aLongPollIsAnsweredAsSoonAsDataArrives() {
    await(client.createTopic("longpoll", 1, Map.of()));
    CompletableFuture<FetchResponse> waiting =
        client.fetch("longpoll", 0, 0, 1 << 20, Duration.ofSeconds(30)).toCompletableFuture();
    produce("longpoll", batch(-1, 0, "wake up"));
    // Far less than the 30 s max wait: answered by the append, not by the timer. A fetch answered
    // before the record came would be empty (the log had nothing at offset 0).
    FetchResponse response = waiting.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    assertEquals(ErrorCode.NONE, response.error());
    assertEquals(1, RecordBatch.split(response.records().asByteBuffer()).size());
  }

  @Test
  void aFetchOutsideTheLogIsOffsetOutOfRange() {
    await(client.createTopic("bounds", 1, Map.of()));
    produce("bounds", batch(-1, 0, "x", "y"));
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE,
        await(client.fetch("bounds", 0, 3, 1024, Duration.ZERO)).error(), "past the end");
    FetchResponse negative = await(client.fetch("bounds", 0, -1, 1024, Duration.ZERO));
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, negative.error(), "a negative offset");
    assertTrue(negative.errorMessage().contains("seek"), negative.errorMessage());
    assertEquals(ErrorCode.NONE, await(client.fetch("bounds", 0, 2, 1024, Duration.ZERO)).error(), "at the end: empty");
  }

  @Test
  void retentionRemovesOldSegmentsMovesTheLogStartAndFetchesBeforeItAreOutOfRange() throws Exception {
    await(client.createTopic("retained", 1, Map.of("retention.bytes", "8192")));
    for (int i = 0; i < 60; i++) {
      produce("retained", batch(-1, 0, "record-number-" + i + "-" + "x".repeat(200)));
    }
    // Retention runs every 200 ms: wait until it has moved the log start and then settled.
    long start = 0;
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(100);
      long now = await(client.listOffsets("retained", 0, ListOffsets.EARLIEST)).offset();
      if (now != start) {
        start = now;
        stableSince = System.nanoTime();
      } else if (start > 0 && System.nanoTime() - stableSince > Duration.ofSeconds(1).toNanos()) {
        break;
      }
    }
    assertTrue(start > 0, "retention moved the log start");
    assertEquals(60, highWatermark("retained"));
    FetchResponse before = await(client.fetch("retained", 0, 0, 1024, Duration.ZERO));
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, before.error());
    FetchResponse atStart = await(client.fetch("retained", 0, start, 1 << 20, Duration.ZERO));
    assertEquals(ErrorCode.NONE, atStart.error());
    assertEquals(start, RecordBatch.split(atStart.records().asByteBuffer()).get(0).baseOffset());
  }

  @Test
  void producerIdsAreUniqueAcrossLeasedBlocks() {
    java.util.Set<Long> ids = new java.util.HashSet<>();
    for (int i = 0; i < 2_500; i++) { // more than two blocks of 1,000
      ids.add(await(client.initProducerId()));
    }
    assertEquals(2_500, ids.size());
  }

  @Test
  void partitionsCanBeAddedButNeverRemoved() {
    await(client.createTopic("growing", 2, Map.of()));
    assertEquals(4, await(client.addPartitions("growing", 4)).topic().orElseThrow().partitions());
    assertEquals(ErrorCode.NONE, await(client.produce("growing", 3, batch(-1, 0, "new"), Acks.ALL,
        Duration.ofSeconds(10))).error(), "the new partition takes records");
    TributaryException lower = assertThrows(TributaryException.class, () -> await(client.addPartitions("growing", 3)));
    assertEquals(ErrorCode.INVALID_PARTITIONS, lower.code());
    assertEquals(4, await(client.metadata()).topics().get("growing").partitions());
  }

  @Test
  void anOffsetCanBeFoundByTimestamp() {
    await(client.createTopic("bytime", 1, Map.of()));
    RecordBatchBuilder early = new RecordBatchBuilder().add(null, new byte[1], List.of(), 1_000);
    RecordBatchBuilder late = new RecordBatchBuilder().add(null, new byte[1], List.of(), 5_000);
    produce("bytime", early.build());
    produce("bytime", late.build());
    assertEquals(1, await(client.listOffsets("bytime", 0, 2_000)).offset());
    assertEquals(0, await(client.listOffsets("bytime", 0, 0)).offset());
    assertEquals(-1, await(client.listOffsets("bytime", 0, 9_000)).offset(), "nothing that new");
    TributaryException unknown = assertThrows(TributaryException.class,
        () -> await(client.listOffsets("bytime", 7, ListOffsets.LATEST)));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknown.code());
  }
}
