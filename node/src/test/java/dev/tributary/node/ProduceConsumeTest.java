package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.message.Acks;
import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Partitioner;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The product's path: records in through the producer, out through the consumer, across restarts. */
class ProduceConsumeTest {

  private static final int PARTITIONS = 8;

  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends {@code count} keyed records key-i/value-i from {@code first}; returns their metadata. */
  private static List<RecordMetadata> produce(TributaryClient client, String topic, int first, int count) {
    try (Producer producer = new Producer(client, ProducerSettings.defaults().withBatchSize(64 * 1024))) {
      List<CompletionStage<RecordMetadata>> sent = new ArrayList<>(count);
      for (int i = first; i < first + count; i++) {
        sent.add(producer.send(topic, utf8("key-" + (i % 5000)), utf8("value-" + i)));
      }
      await(producer.flush());
      List<RecordMetadata> out = new ArrayList<>(count);
      sent.forEach(s -> out.add(await(s)));
      return out;
    }
  }

  /** Reads every partition from {@code from} until {@code expected} records have come. */
  private static Map<Integer, List<ConsumerRecord>> consume(TributaryClient client, String topic,
      Map<Integer, Long> from, int expected) {
    Map<Integer, List<ConsumerRecord>> byPartition = new HashMap<>();
    try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      List<TopicPartition> tps = consumer.partitionsFor(topic);
      consumer.assign(tps);
      for (TopicPartition tp : tps) {
        consumer.seek(tp, from.getOrDefault(tp.partition(), 0L));
      }
      int got = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (got < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
          got++;
        }
      }
      // nothing more than expected arrives
      for (ConsumerRecord r : consumer.poll(Duration.ofMillis(300))) {
        byPartition.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
      }
    }
    return byPartition;
  }

  /**
   * Produce callbacks run on the producer's own thread, not on the client's one reply actor: a
   * callback that blocks holds up neither the same client's fetches nor another producer's
   * acknowledgements.
   */
  /**
   * min.insync.replicas above the in-sync replicas refuses acks=all writes before anything is
   * stored, and lets acks=leader writes through; lowering it at run time lets acks=all in again.
   */
  @Test
  void acksAllIsRefusedWhileTooFewReplicasAreInSync() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("strict", 1, Map.of("min.insync.replicas", "2")));
      dev.tributary.protocol.record.RecordBatch refused = new dev.tributary.protocol.record.RecordBatchBuilder()
          .add(null, utf8("refused"), List.of(), System.currentTimeMillis()).build();
      var answer = await(client.produce("strict", 0, refused, Acks.ALL, Duration.ofSeconds(10)));
      assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, answer.error(), answer.errorMessage());
      dev.tributary.protocol.record.RecordBatch leaderOnly = new dev.tributary.protocol.record.RecordBatchBuilder()
          .add(null, utf8("leader-only"), List.of(), System.currentTimeMillis()).build();
      assertEquals(ErrorCode.NONE, await(client.produce("strict", 0, leaderOnly, Acks.LEADER, Duration.ofSeconds(10))).error());

      await(client.alterConfigs("strict", Map.of("min.insync.replicas", "1")));
      dev.tributary.protocol.record.RecordBatch allowed = new dev.tributary.protocol.record.RecordBatchBuilder()
          .add(null, utf8("allowed"), List.of(), System.currentTimeMillis()).build();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      ErrorCode code;
      do { // until this broker has the metadata with the new config
        code = await(client.produce("strict", 0, allowed, Acks.ALL, Duration.ofSeconds(10))).error();
      } while (code == ErrorCode.NOT_ENOUGH_REPLICAS && System.nanoTime() < deadline);
      assertEquals(ErrorCode.NONE, code);

      List<String> stored = new ArrayList<>();
      var log = await(client.fetch("strict", 0, 0, 1 << 20, Duration.ZERO));
      for (var batch : dev.tributary.protocol.record.RecordBatch.split(log.records().asByteBuffer())) {
        batch.records().forEach(r -> stored.add(new String(r.value(), StandardCharsets.UTF_8)));
      }
      assertEquals(List.of("leader-only", "allowed"), stored, "the refused write was never stored");
    }
  }

  @Test
  void aProduceCallbackThatBlocksDoesNotStopTheSameClientsFetches() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("callbacks", 1, Map.of()));
      await(client.createTopic("reads", 1, Map.of()));
      produce(client, "reads", 0, 10);
      CountDownLatch entered = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
        producer.send("callbacks", null, utf8("slow")).thenAccept(m -> {
          entered.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        assertTrue(entered.await(30, TimeUnit.SECONDS), "the callback is running (and now blocks)");
        try {
          assertEquals(10, consume(client, "reads", Map.of(), 10).getOrDefault(0, List.of()).size(),
              "a consumer on the same client reads while the callback blocks");
          assertEquals(ErrorCode.NONE, await(client.fetch("reads", 0, 0, 1 << 20, Duration.ZERO)).error());
          try (Producer other = new Producer(client, ProducerSettings.defaults())) {
            assertEquals(1, await(other.send("callbacks", null, utf8("fast"))).offset(),
                "another producer's record is acknowledged");
          }
        } finally {
          release.countDown();
        }
      }
    }
  }

  @Test
  void oneHundredThousandKeyedRecordsAreConsumedOnceInOrderOnKafkasPartitions() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("events", PARTITIONS, Map.of()));
      List<RecordMetadata> sent = produce(client, "events", 0, 100_000);

      Map<Integer, List<ConsumerRecord>> consumed = consume(client, "events", Map.of(), 100_000);
      int total = 0;
      for (Map.Entry<Integer, List<ConsumerRecord>> e : consumed.entrySet()) {
        List<ConsumerRecord> records = e.getValue();
        for (int i = 0; i < records.size(); i++) {
          ConsumerRecord r = records.get(i);
          assertEquals(i, r.offset(), "offsets are dense from 0 in partition " + e.getKey());
          assertEquals(Partitioner.partitionForKey(r.key(), PARTITIONS), r.partition(), "Kafka's partition for the key");
        }
        total += records.size();
      }
      assertEquals(100_000, total, "each record consumed exactly once");
      // in order per partition: values were sent in increasing i, so they rise within a partition
      for (List<ConsumerRecord> records : consumed.values()) {
        int last = -1;
        for (ConsumerRecord r : records) {
          int i = Integer.parseInt(new String(r.value(), StandardCharsets.UTF_8).substring(6));
          assertTrue(i > last, "order within a partition");
          last = i;
        }
      }
      RecordMetadata m = sent.get(12_345);
      ConsumerRecord same = consumed.get(m.partition()).get((int) m.offset());
      assertEquals("value-12345", new String(same.value(), StandardCharsets.UTF_8), "metadata points at the record");
    }
  }

  /**
   * A fresh client's first burst of data requests queues up while its connection for large
   * messages is still being set up; Artery's default queue of 256 dropped the rest silently, and
   * the client saw them only as timeouts (a producer catching up stalled a partition for 30 s).
   */
  @Test
  void aFreshClientsBurstOfRequestsIsAnsweredInFull() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient admin = broker.client()) {
      await(admin.createTopic("burst", 1, Map.of()));
      try (TributaryClient client = broker.client()) {
        List<CompletionStage<dev.tributary.protocol.message.FetchResponse>> fetches = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
          fetches.add(client.fetch("burst", 0, 0, 1024, Duration.ZERO));
        }
        for (CompletionStage<dev.tributary.protocol.message.FetchResponse> fetch : fetches) {
          assertEquals(dev.tributary.protocol.ErrorCode.NONE, await(fetch).error());
        }
      }
    }
  }

  /**
   * A batch the partition refuses for good (here: over the topic's max.message.bytes) is not
   * stored, so the partition never sees its sequence numbers; the idempotent producer must not
   * leave every later batch to that partition refused as OUT_OF_ORDER_SEQUENCE.
   */
  @Test
  void aBatchRefusedForGoodDoesNotBlockTheRecordsAfterIt() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client();
         Producer producer = new Producer(client, ProducerSettings.defaults())) {
      await(client.createTopic("picky", 1, Map.of("max.message.bytes", "2000")));
      assertEquals(0, await(producer.send("picky", null, utf8("first"))).offset());
      CompletionStage<RecordMetadata> tooBig = producer.send("picky", null, new byte[5_000]);
      dev.tributary.protocol.TributaryException refused = org.junit.jupiter.api.Assertions.assertThrows(
          dev.tributary.protocol.TributaryException.class, () -> await(tooBig));
      assertEquals(dev.tributary.protocol.ErrorCode.RECORD_TOO_LARGE, refused.code());
      List<CompletionStage<RecordMetadata>> after = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        after.add(producer.send("picky", null, utf8("small-" + i)));
      }
      for (int i = 0; i < 10; i++) {
        assertEquals(i + 1, await(after.get(i)).offset(), "stored in order after the refused batch");
      }
    }
  }

  /**
   * While a partition's one in-flight slot is taken, the batch after it grows past batchSize (up to
   * maxBatchSize, never past the topic's max.message.bytes), so a backlog goes in fewer, larger
   * requests; every record is stored once, in order.
   */
  @Test
  void aBacklogGoesInBatchesLargerThanBatchSizeButNoLargerThanTheTopicTakes() {
    int batchSize = 1024;
    int maxBatchSize = 64 * 1024;
    int n = 3000;
    ProducerSettings oneSlot = ProducerSettings.defaults().withBatchSize(batchSize).withMaxInFlight(1)
        .withMaxBatchSize(maxBatchSize);
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("backlog", 1, Map.of()));
      await(client.createTopic("capped", 1, Map.of("max.message.bytes", "4000")));
      Map<String, Integer> largest = new HashMap<>();
      for (String topic : List.of("backlog", "capped")) {
        try (Producer producer = new Producer(client, oneSlot)) {
          List<CompletionStage<RecordMetadata>> sent = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            sent.add(producer.send(topic, null, utf8(String.format("record-%05d", i))));
          }
          await(producer.flush());
          for (int i = 0; i < n; i++) {
            assertEquals(i, await(sent.get(i)).offset(), topic + ": record " + i);
          }
        }
        List<String> stored = new ArrayList<>();
        int biggest = 0;
        while (stored.size() < n) {
          var fetched = await(client.fetch(topic, 0, stored.size(), 1 << 20, Duration.ZERO));
          for (var batch : dev.tributary.protocol.record.RecordBatch.split(fetched.records().asByteBuffer())) {
            biggest = Math.max(biggest, batch.sizeInBytes());
            batch.records().forEach(r -> stored.add(new String(r.value(), StandardCharsets.UTF_8)));
          }
        }
        for (int i = 0; i < n; i++) {
          assertEquals(String.format("record-%05d", i), stored.get(i), topic + ": offset " + i);
        }
        largest.put(topic, biggest);
      }
      assertTrue(largest.get("backlog") > batchSize && largest.get("backlog") <= maxBatchSize,
          "the backlog's largest batch, " + largest.get("backlog") + " bytes, grew past batchSize " + batchSize
              + " and stayed within maxBatchSize " + maxBatchSize);
      assertTrue(largest.get("capped") > batchSize && largest.get("capped") <= 4000,
          "the capped topic's largest batch, " + largest.get("capped") + " bytes, grew but stayed within its max.message.bytes");
    }
  }

  /** A topic's segment.bytes rolls its partitions' segments; other topics keep the journal's size. */
  @Test
  void aTopicsSegmentBytesRollsItsOwnSegments() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("rolling", 1, Map.of("segment.bytes", "2048")));
      await(client.createTopic("steady", 1, Map.of()));
      for (String topic : List.of("rolling", "steady")) {
        for (int i = 0; i < 40; i++) {
          dev.tributary.protocol.record.RecordBatch batch = new dev.tributary.protocol.record.RecordBatchBuilder()
              .add(null, new byte[500], List.of(), System.currentTimeMillis()).build();
          assertEquals(dev.tributary.protocol.ErrorCode.NONE,
              await(client.produce(topic, 0, batch, dev.tributary.protocol.message.Acks.ALL, Duration.ofSeconds(10))).error());
        }
      }
      assertTrue(segments("rolling-0") >= 8, "40 batches of ~560 bytes in segments of 2 KiB: " + segments("rolling-0"));
      assertEquals(1, segments("steady-0"), "the journal's 1 GiB segments");
    }
  }

  private long segments(String persistenceId) throws java.io.IOException {
    Path log = dir.resolve("journal").resolve(dev.tributary.journal.segment.LogFiles.directoryName(persistenceId));
    try (var files = java.nio.file.Files.list(log)) {
      return files.filter(f -> f.toString().endsWith(dev.tributary.journal.segment.LogFiles.SEGMENT_SUFFIX)).count();
    }
  }

  /**
   * A producer keeps sending while its broker restarts on the same address: records sent while it
   * is down are delivered once it is back (the client reaches the new incarnation and resends what
   * the old one dropped), none is lost, none is stored twice, and the order holds.
   */
  @Test
  void aProducerRidesOutABrokerRestartWithoutLosingOrRepeatingRecords() throws Exception {
    int port = TestBroker.freePort();
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(port);
    TestBroker first = TestBroker.start(settings);
    List<CompletionStage<RecordMetadata>> sent = new ArrayList<>();
    try (TributaryClient client = first.client();
         Producer producer = new Producer(client, ProducerSettings.defaults())) {
      await(client.createTopic("restarting", 1, Map.of()));
      for (int i = 0; i < 500; i++) {
        sent.add(producer.send("restarting", null, utf8("r" + i)));
      }
      await(producer.flush());
      first.close();
      for (int i = 500; i < 1_000; i++) {
        sent.add(producer.send("restarting", null, utf8("r" + i)));
      }
      try (TestBroker second = TestBroker.start(settings)) {
        await(producer.flush());
        for (int i = 0; i < 1_000; i++) {
          assertEquals(i, await(sent.get(i)).offset(), "record " + i);
        }
        try (TributaryClient reader = second.client()) {
          Map<Integer, List<ConsumerRecord>> read = consume(reader, "restarting", Map.of(), 1_000);
          List<ConsumerRecord> records = read.get(0);
          assertEquals(1_000, records.size());
          for (int i = 0; i < 1_000; i++) {
            assertEquals("r" + i, new String(records.get(i).value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
  }

  @Test
  void producerIdsHandedOutBeforeARestartAreNeverHandedOutAgain() {
    long before;
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      before = await(client.initProducerId());
    }
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      assertTrue(await(client.initProducerId()) > before, "the controller's lease survives the restart");
    }
  }

  @Test
  void aBatchRetriedAcrossABrokerRestartIsNotStoredTwice() {
    dev.tributary.protocol.record.RecordBatch batch = new dev.tributary.protocol.record.RecordBatchBuilder()
        .add(null, utf8("once"), List.of(), 1).build(4242, (short) 0, 0);
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("restart-retry", 1, Map.of()));
      assertEquals(0, await(client.produce("restart-retry", 0, batch,
          dev.tributary.protocol.message.Acks.ALL, Duration.ofSeconds(10))).baseOffset());
    }
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      var retried = await(client.produce("restart-retry", 0, batch,
          dev.tributary.protocol.message.Acks.ALL, Duration.ofSeconds(10)));
      assertEquals(dev.tributary.protocol.ErrorCode.NONE, retried.error());
      assertEquals(0, retried.baseOffset(), "answered with the original offset");
      assertEquals(1, await(client.listOffsets("restart-retry", 0,
          dev.tributary.protocol.message.ListOffsets.LATEST)).offset(), "stored once");
    }
  }

  @Test
  void afterARestartOnTheSameDataEverythingIsThereAndOffsetsContinue() {
    Map<Integer, Long> ends = new HashMap<>();
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("durable", 3, Map.of()));
      for (RecordMetadata m : produce(client, "durable", 0, 3_000)) {
        ends.merge(m.partition(), m.offset() + 1, Math::max);
      }
    }
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      Map<Integer, List<ConsumerRecord>> all = consume(client, "durable", Map.of(), 3_000);
      assertEquals(3_000, all.values().stream().mapToInt(List::size).sum());
      for (RecordMetadata m : produce(client, "durable", 3_000, 300)) {
        assertTrue(m.offset() >= ends.get(m.partition()), "new offsets continue after the old ones");
      }
      Map<Integer, List<ConsumerRecord>> resumed = consume(client, "durable", ends, 300);
      assertEquals(300, resumed.values().stream().mapToInt(List::size).sum(), "a consumer resumes where it asks");
      resumed.forEach((p, records) -> assertEquals(ends.get(p), records.get(0).offset()));
    }
  }
}
