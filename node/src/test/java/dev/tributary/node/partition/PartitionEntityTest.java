package dev.tributary.node.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tributary.journal.segment.LogFiles;
import dev.tributary.node.MetadataView;
import dev.tributary.node.Tmpfs;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.node.replication.ReplicaFetchers;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partition front alone, on a real journal in a test directory, without a cluster: offsets,
 * idempotence, refusals, long polls, restarts and the topic-id guard, message by message.
 */
class PartitionEntityTest {

  private static final String TOPIC = "orders";
  private static final String PARTITION_ID = "orders-0";
  /** The replica on broker 0, which metadata names as leader. */
  private static final String REPLICA_ID = "orders-0@0";

  @TempDir Path dir;
  private ActorTestKit testKit;
  private final MetadataView metadata = new MetadataView();
  private TestProbe<DataGateway.Command> gateway;
  private TestProbe<ProduceResponse> produced;
  private TestProbe<FetchResponse> fetched;
  private long correlation;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("partition-test", ConfigFactory.parseString(
            "pekko.actor.provider = local\n"
                + "tributary.journal.dir = \"" + dir.toAbsolutePath() + "\"\n")
        .withFallback(ConfigFactory.load()));
    gateway = testKit.createTestProbe(DataGateway.Command.class);
    produced = testKit.createTestProbe(ProduceResponse.class);
    fetched = testKit.createTestProbe(FetchResponse.class);
    topicWithId("topic-id-1", Map.of("max.message.bytes", "4096"));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private long version;

  private void topicWithId(String topicId, Map<String, String> configs) {
    topicWithId(topicId, configs, 0);
  }

  private void topicWithId(String topicId, Map<String, String> configs, int leaderEpoch) {
    metadata.update(new MetadataResponse(++version,
        Map.of(TOPIC, new TopicMetadata(TOPIC, topicId, 1, configs, List.of(),
            List.of(new PartitionInfo(0, leaderEpoch, List.of(0), List.of(0))))), List.of()));
  }

  @Test
  void everyStoredBatchCarriesTheLeaderEpochItWasWrittenIn() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    assertEquals(ErrorCode.NONE, produce(partition, batch(-1, 0, "a", "b")).error());
    topicWithId("topic-id-1", Map.of("max.message.bytes", "4096"), 3); // the controller elected it again
    partition.tell(new PartitionControl.Wake(TOPIC, 0)); // as the broker's replica manager does at every change
    assertEquals(ErrorCode.NONE, produce(partition, batch(-1, 0, "c")).error());

    List<Integer> epochs = new ArrayList<>();
    for (RecordBatch stored : RecordBatch.split(fetch(partition, 0).records().asByteBuffer())) {
      epochs.add(stored.leaderEpoch());
      RecordBatch.validate(ByteBuffer.wrap(stored.toByteArray())); // stamping the epoch keeps the CRC valid
    }
    assertEquals(List.of(0, 3), epochs);
  }

  @Test
  void aRequestNamingAnotherLeaderEpochIsRefusedAndNothingIsStored() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    topicWithId("topic-id-1", Map.of(), 3);
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    partition.tell(new Produce(++correlation, TOPIC, 0, batch(-1, 0, "old").toByteArray(), Acks.ALL, 10_000,
        produced.ref(), 0, 2));
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, produced.receiveMessage(Duration.ofSeconds(10)).error());
    partition.tell(new Produce(++correlation, TOPIC, 0, batch(-1, 0, "new").toByteArray(), Acks.ALL, 10_000,
        produced.ref(), 0, 4));
    assertEquals(ErrorCode.UNKNOWN_LEADER_EPOCH, produced.receiveMessage(Duration.ofSeconds(10)).error());
    partition.tell(new Fetch(++correlation, TOPIC, 0, 0, 1 << 20, 0, fetched.ref(), 2));
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, fetched.receiveMessage(Duration.ofSeconds(10)).error());
    partition.tell(new Produce(++correlation, TOPIC, 0, batch(-1, 0, "current").toByteArray(), Acks.ALL, 10_000,
        produced.ref(), 0, 3));
    ProduceResponse stored = produced.receiveMessage(Duration.ofSeconds(10));
    assertEquals(ErrorCode.NONE, stored.error(), stored.errorMessage());
    assertEquals(0, stored.baseOffset(), "the refused batches took no offsets");
  }

  /**
   * A follower's fetch waiting at the log end is answered with the next write's own batches, as
   * stored (base offset and leader epoch stamped, CRC valid), without a read; a watch behind the
   * log end is told to read again at once.
   */
  @Test
  void aWaitingFollowerFetchGetsTheNextWriteItself() {
    metadata.update(new MetadataResponse(++version,
        Map.of(TOPIC, new TopicMetadata(TOPIC, "topic-id-1", 1, Map.of(), List.of(),
            List.of(new PartitionInfo(0, 2, List.of(0, 1), List.of(0, 1))))), List.of()));
    ActorRef<PartitionCommand> partition = spawnPartition();
    TestProbe<ReplicaCommand.Appended> woken = testKit.createTestProbe(ReplicaCommand.Appended.class);

    for (long at : new long[] {0, 2}) {
      partition.tell(new ReplicaCommand.WatchAppends(TOPIC, 0, 1, at, 1 << 20, woken.ref()));
      woken.expectNoMessage(Duration.ofMillis(200));
      partition.tell(new Produce(++correlation, TOPIC, 0, batch(-1, 0, "x-" + at, "y-" + at).toByteArray(),
          Acks.LEADER, 10_000, produced.ref()));
      assertEquals(ErrorCode.NONE, produced.receiveMessage(Duration.ofSeconds(10)).error());
      ReplicaCommand.Appended appended = woken.receiveMessage(Duration.ofSeconds(10));
      assertNotNull(appended.data(), "the write's batches came with the wake");
      assertEquals(at + 2, appended.data().logEndOffset());
      List<RecordBatch> batches = RecordBatch.split(ByteBuffer.wrap(appended.data().records()));
      assertEquals(1, batches.size());
      RecordBatch copy = RecordBatch.validate(ByteBuffer.wrap(batches.get(0).toByteArray()));
      assertEquals(at, copy.baseOffset());
      assertEquals(2, copy.leaderEpoch());
      List<String> values = new ArrayList<>();
      copy.records().forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
      assertEquals(List.of("x-" + at, "y-" + at), values);
    }

    partition.tell(new ReplicaCommand.WatchAppends(TOPIC, 0, 1, 1, 1 << 20, woken.ref()));
    assertNull(woken.receiveMessage(Duration.ofSeconds(10)).data(), "behind the log end: read again");
  }

  /**
   * A follower whose log ends below the leader's log start (the leader's retention removed what it
   * lacks) empties its log and copies on from the leader's log start, as Kafka's
   * truncateFullyAndStartAt; the log on disk then starts there.
   */
  @Test
  void aFollowerBehindTheLeadersLogStartEmptiesItsLogAndContinuesFromThere() throws Exception {
    partitionInfo(new PartitionInfo(0, 0, List.of(0, 1), List.of(0)));
    TestProbe<ReplicaFetchers.Command> fetchers = testKit.createTestProbe(ReplicaFetchers.Command.class);
    ActorRef<PartitionCommand> partition = spawnPartition(new ReplicaContext(0, () -> 1L,
        testKit.createTestProbe(Controller.Command.class).ref(), fetchers.ref(), Duration.ofSeconds(30)));
    assertEquals(ErrorCode.NONE, produce(partition, batch(-1, 0, "a", "b", "c")).error());

    partitionInfo(new PartitionInfo(1, 1, List.of(0, 1), List.of(1, 0))); // broker 1 leads now
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    ReplicaFetchers.Follow follow = fetchers.expectMessageClass(ReplicaFetchers.Follow.class, Duration.ofSeconds(10));
    assertEquals(3, follow.position().fetchOffset());

    TestProbe<ReplicaCommand.FetchPosition> positions = testKit.createTestProbe(ReplicaCommand.FetchPosition.class);
    PartitionData outOfRange = new PartitionData(TOPIC, 0, ErrorCode.OFFSET_OUT_OF_RANGE, "below the log start",
        120, 100, 130, false, -1, -1, null);
    partition.tell(new ReplicaCommand.Apply(outOfRange, 1, 3, positions.ref()));
    assertEquals(0, positions.receiveMessage(Duration.ofSeconds(10)).fetchOffset(), "emptied first");
    partition.tell(new ReplicaCommand.Apply(outOfRange, 1, 0, positions.ref()));
    ReplicaCommand.FetchPosition atStart = positions.receiveMessage(Duration.ofSeconds(10));
    assertEquals(100, atStart.fetchOffset(), "then from the leader's log start");
    assertEquals(-1, atStart.lastFetchedEpoch());

    RecordBatch copied = batch(-1, 0, "x", "y");
    copied.stampBaseOffset(100);
    copied.stampLeaderEpoch(1);
    partition.tell(new ReplicaCommand.Apply(new PartitionData(TOPIC, 0, ErrorCode.NONE, "", 120, 100, 130, false, -1,
        -1, copied.toByteArray()), 1, 100, positions.ref()));
    assertEquals(102, positions.receiveMessage(Duration.ofSeconds(10)).fetchOffset());
    var stored = dev.tributary.journal.JournalExtension.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system())).engine().logInfo(PARTITION_ID)
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(100, stored.logStartOffset(), stored.toString());
    assertEquals(102, stored.logEndOffset(), stored.toString());
  }

  /**
   * A follower stores its copies straight in the log, numbered after the log's highest sequence
   * number; when it leads again, a fresh writer continues after them (the one it led with before
   * is stale), and a restart recovers everything, with dense offsets and sequence numbers, the
   * copies' entries like the writer's.
   */
  @Test
  void aReplicaThatFollowedThenLedAgainKeepsEverythingAcrossARestart() throws Exception {
    partitionInfo(new PartitionInfo(1, 1, List.of(0, 1), List.of(1, 0))); // broker 1 leads
    TestProbe<ReplicaFetchers.Command> fetchers = testKit.createTestProbe(ReplicaFetchers.Command.class);
    ReplicaContext broker = new ReplicaContext(0, () -> 1L, testKit.createTestProbe(Controller.Command.class).ref(),
        fetchers.ref(), Duration.ofSeconds(30));
    ActorRef<PartitionCommand> partition = spawnPartition(broker);
    assertEquals(0, awaitFollow(fetchers).position().fetchOffset());
    TestProbe<ReplicaCommand.FetchPosition> positions = testKit.createTestProbe(ReplicaCommand.FetchPosition.class);
    assertEquals(3, copy(partition, positions, 1, 0, List.of("a", "b"), List.of("c")), "two batches, one write");
    assertEquals(4, copy(partition, positions, 1, 3, List.of("d")));

    partitionInfo(new PartitionInfo(0, 2, List.of(0, 1), List.of(0))); // broker 0 leads: its first writer
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    assertEquals(4, produce(partition, batch(-1, 0, "e", "f")).baseOffset());

    partitionInfo(new PartitionInfo(1, 3, List.of(0, 1), List.of(1, 0))); // broker 1 again
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    assertEquals(6, awaitFollow(fetchers).position().fetchOffset());
    assertEquals(7, copy(partition, positions, 3, 6, List.of("g")));

    partitionInfo(new PartitionInfo(0, 4, List.of(0, 1), List.of(0))); // broker 0 again: the writer is stale
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    ProduceResponse led = produce(partition, batch(-1, 0, "h"));
    assertEquals(ErrorCode.NONE, led.error(), led.errorMessage());
    assertEquals(7, led.baseOffset());
    testKit.stop(partition, Duration.ofSeconds(10));

    ActorRef<PartitionCommand> again = spawnPartition(broker);
    assertEquals(8, produce(again, batch(-1, 0, "i")).baseOffset(), "continues after everything");
    assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h", "i"), allValues(again));
    List<dev.tributary.journal.segment.JournalEntry> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
    engine().replay(PARTITION_ID, 1, Long.MAX_VALUE, Long.MAX_VALUE, entries::add)
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), entries.stream().map(e -> e.sequenceNr()).toList());
    assertEquals(List.of(0L, 2L, 3L, 4L, 6L, 7L, 8L), entries.stream().map(e -> e.offsets().baseOffset()).toList());
    assertEquals(List.of(false, true, true, true, true, true, true),
        entries.stream().map(e -> e.endOfAtomicWrite()).toList(), "the two-batch copy is one atomic write");
    var written = entries.get(3); // the writer's
    for (var e : entries) {
      assertEquals(written.serializerId(), e.serializerId());
      assertEquals(written.manifest(), e.manifest());
      assertEquals(written.adapterManifest(), e.adapterManifest());
      assertTrue(e.metadata().isEmpty());
    }
  }

  /**
   * A follower's copy that the disk refuses takes the replica offline as a failed writer does: it
   * stays up, answers the copy with its position unchanged, stops following and, made leader,
   * refuses produces with the reason; a restart with space continues after its last stored copy.
   */
  @Test
  void aFullDiskUnderAFollowersCopyTakesItOfflineAndARestartContinuesAfterItsLastCopy() throws Exception {
    try (Tmpfs disk = Tmpfs.mount(dir.resolve("journal"), "1m")) {
      partitionInfo(new PartitionInfo(1, 1, List.of(0, 1), List.of(1, 0))); // broker 1 leads
      TestProbe<ReplicaFetchers.Command> fetchers = testKit.createTestProbe(ReplicaFetchers.Command.class);
      ReplicaContext broker = new ReplicaContext(0, () -> 1L,
          testKit.createTestProbe(Controller.Command.class).ref(), fetchers.ref(), Duration.ofSeconds(30));
      ActorRef<PartitionCommand> partition = spawnPartition(broker);
      awaitFollow(fetchers);
      TestProbe<ReplicaCommand.FetchPosition> positions =
          testKit.createTestProbe(ReplicaCommand.FetchPosition.class);
      long end = 0;
      while (true) {
        assertTrue(end < 1_000, "1,000 copies of 3 KB fitted on a 1 MiB file system");
        long after = copy(partition, positions, 1, end, List.of(end + ":" + "x".repeat(3_000)));
        if (after == end) {
          break; // refused: the position is unchanged
        }
        assertEquals(end + 1, after);
        end = after;
      }
      fetchers.expectMessageClass(ReplicaFetchers.Unfollow.class, Duration.ofSeconds(10));
      assertEquals(end, copy(partition, positions, 1, end, List.of("refused")), "offline: nothing more is stored");

      partitionInfo(new PartitionInfo(0, 2, List.of(0, 1), List.of(0)));
      partition.tell(new PartitionControl.Wake(TOPIC, 0));
      ProduceResponse refused = produce(partition, batch(-1, 0, "refused"));
      assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, refused.error(), refused.errorMessage());
      assertTrue(refused.errorMessage().contains("orders-0 is offline"), refused.errorMessage());

      testKit.stop(partition, Duration.ofSeconds(10));
      disk.resize("8m");
      ActorRef<PartitionCommand> restarted = spawnPartition(broker);
      ProduceResponse led = produce(restarted, batch(-1, 0, "led"));
      assertEquals(ErrorCode.NONE, led.error(), led.errorMessage());
      assertEquals(end, led.baseOffset(), "continues after the last stored copy");
      testKit.shutdownTestKit(); // closes the journal before its file system goes
    }
  }

  /**
   * A leader that follows, truncates its diverged tail and leads again writes with a fresh writer:
   * the sequence numbers go on densely from the cut, not from where its old writer stopped.
   */
  @Test
  void aReplicaThatTruncatedThenLeadsAgainNumbersItsWritesFromTheCut() throws Exception {
    partitionInfo(new PartitionInfo(0, 0, List.of(0, 1), List.of(0)));
    TestProbe<ReplicaFetchers.Command> fetchers = testKit.createTestProbe(ReplicaFetchers.Command.class);
    ActorRef<PartitionCommand> partition = spawnPartition(new ReplicaContext(0, () -> 1L,
        testKit.createTestProbe(Controller.Command.class).ref(), fetchers.ref(), Duration.ofSeconds(30)));
    for (String value : List.of("a", "b", "c")) {
      assertEquals(ErrorCode.NONE, produce(partition, batch(-1, 0, value)).error());
    }
    partitionInfo(new PartitionInfo(1, 1, List.of(0, 1), List.of(1, 0)));
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    assertEquals(3, awaitFollow(fetchers).position().fetchOffset());
    TestProbe<ReplicaCommand.FetchPosition> positions = testKit.createTestProbe(ReplicaCommand.FetchPosition.class);
    partition.tell(new ReplicaCommand.Apply(new PartitionData(TOPIC, 0, ErrorCode.NONE, "", 1, 0, 1, true, -1, 1,
        null), 1, 3, positions.ref())); // the leader's log ends at 1: "b" and "c" were never committed
    assertEquals(1, positions.receiveMessage(Duration.ofSeconds(10)).fetchOffset());

    partitionInfo(new PartitionInfo(0, 2, List.of(0, 1), List.of(0)));
    partition.tell(new PartitionControl.Wake(TOPIC, 0));
    assertEquals(1, produce(partition, batch(-1, 0, "d")).baseOffset());
    List<dev.tributary.journal.segment.JournalEntry> entries = new java.util.concurrent.CopyOnWriteArrayList<>();
    engine().replay(PARTITION_ID, 1, Long.MAX_VALUE, Long.MAX_VALUE, entries::add)
        .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(List.of(1L, 2L), entries.stream().map(e -> e.sequenceNr()).toList());
    assertEquals(List.of("a", "d"), allValues(partition));
  }

  /** Stores the batches at {@code offset} (one each) as a copy from broker 1 in {@code epoch}; its new log end. */
  @SafeVarargs
  private long copy(ActorRef<PartitionCommand> partition, TestProbe<ReplicaCommand.FetchPosition> positions,
      int epoch, long offset, List<String>... batches) {
    java.io.ByteArrayOutputStream records = new java.io.ByteArrayOutputStream();
    long next = offset;
    for (List<String> values : batches) {
      RecordBatch b = batch(-1, 0, values.toArray(String[]::new));
      b.stampBaseOffset(next);
      b.stampLeaderEpoch(epoch);
      next += values.size();
      records.writeBytes(b.toByteArray());
    }
    partition.tell(new ReplicaCommand.Apply(new PartitionData(TOPIC, 0, ErrorCode.NONE, "", next, 0, next, false, -1,
        -1, records.toByteArray()), epoch, offset, positions.ref()));
    return positions.receiveMessage(Duration.ofSeconds(10)).fetchOffset();
  }

  /** The next Follow the replica sends its fetchers (an Unfollow may come first). */
  private static ReplicaFetchers.Follow awaitFollow(TestProbe<ReplicaFetchers.Command> fetchers) {
    while (true) {
      if (fetchers.receiveMessage(Duration.ofSeconds(10)) instanceof ReplicaFetchers.Follow follow) {
        return follow;
      }
    }
  }

  private dev.tributary.journal.segment.StorageEngine engine() {
    return dev.tributary.journal.JournalExtension.get(
        org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system())).engine();
  }

  private void partitionInfo(PartitionInfo info) {
    metadata.update(new MetadataResponse(++version,
        Map.of(TOPIC, new TopicMetadata(TOPIC, "topic-id-1", 1, Map.of(), List.of(), List.of(info))), List.of()));
  }

  /** Broker 0 as the replica sees it; the topic has no followers, so neither probe hears anything here. */
  private ReplicaContext broker() {
    return new ReplicaContext(0, () -> 1L, testKit.createTestProbe(Controller.Command.class).ref(),
        testKit.createTestProbe(ReplicaFetchers.Command.class).ref(), Duration.ofSeconds(30));
  }

  /** Spawns the front and waits until it has loaded its log and told the gateway it serves. */
  private ActorRef<PartitionCommand> spawnPartition() {
    return spawnPartition(broker());
  }

  private ActorRef<PartitionCommand> spawnPartition(ReplicaContext broker) {
    TopicConfig defaults = TopicConfig.defaults(testKit.system().settings().config(), 1L << 30);
    ActorRef<PartitionCommand> partition = testKit.spawn(
        PartitionEntity.create(REPLICA_ID, metadata, defaults, gateway.ref(), new BrokerMetrics(), broker));
    DataGateway.LocalPartitionStarted started =
        gateway.expectMessageClass(DataGateway.LocalPartitionStarted.class, Duration.ofSeconds(10));
    assertEquals(PARTITION_ID, TopicNames.partitionId(started.topic(), started.partition()));
    return partition;
  }

  private static RecordBatch batch(long producerId, int baseSequence, String... values) {
    RecordBatchBuilder builder = new RecordBatchBuilder();
    for (String v : values) {
      builder.add(null, v.getBytes(StandardCharsets.UTF_8), List.of(), 1_000L);
    }
    return producerId < 0 ? builder.build() : builder.build(producerId, (short) 0, baseSequence);
  }

  private ProduceResponse produce(ActorRef<PartitionCommand> partition, RecordBatch batch) {
    return produce(partition, batch.toByteArray());
  }

  private ProduceResponse produce(ActorRef<PartitionCommand> partition, byte[] batch) {
    long id = ++correlation;
    partition.tell(new Produce(id, TOPIC, 0, batch, Acks.ALL, 10_000, produced.ref()));
    ProduceResponse response = produced.receiveMessage(Duration.ofSeconds(10));
    assertEquals(id, response.correlationId());
    return response;
  }

  private void sendFetch(ActorRef<PartitionCommand> partition, long offset, int maxWaitMs) {
    partition.tell(new Fetch(++correlation, TOPIC, 0, offset, 1 << 20, maxWaitMs, fetched.ref()));
  }

  private FetchResponse fetch(ActorRef<PartitionCommand> partition, long offset) {
    sendFetch(partition, offset, 0);
    return fetched.receiveMessage(Duration.ofSeconds(10));
  }

  /** The values of every record from offset 0 to the high watermark. */
  private List<String> allValues(ActorRef<PartitionCommand> partition) {
    List<String> out = new ArrayList<>();
    FetchResponse response = fetch(partition, 0);
    while (!values(response).isEmpty()) {
      out.addAll(values(response));
      if (out.size() >= response.highWatermark()) {
        break;
      }
      response = fetch(partition, out.size());
    }
    return out;
  }

  /** The values of the records in a fetch response, in order. */
  private static List<String> values(FetchResponse response) {
    List<String> out = new ArrayList<>();
    for (RecordBatch batch : RecordBatch.split(response.records().asByteBuffer())) {
      batch.records().forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  /**
   * A produce that reaches the partition after its deadline (it waited in sharding while the
   * broker was away, and its client has reported it unacknowledged) is dropped unanswered and
   * never stored; one within its deadline is stored as usual.
   */
  @Test
  void aProducePastItsDeadlineIsDroppedUnansweredAndNeverStored() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    long now = System.currentTimeMillis();
    partition.tell(new Produce(++correlation, TOPIC, 0, batch(-1, 0, "late").toByteArray(), Acks.ALL, 1_000,
        produced.ref(), now - 1));
    long inTime = ++correlation;
    partition.tell(new Produce(inTime, TOPIC, 0, batch(-1, 0, "in time").toByteArray(), Acks.ALL, 1_000,
        produced.ref(), now + 60_000));
    ProduceResponse answer = produced.receiveMessage(Duration.ofSeconds(10));
    assertEquals(inTime, answer.correlationId(), "the late produce got no answer");
    assertEquals(0, answer.baseOffset(), "the late produce took no offset");
    assertEquals(List.of("in time"), values(fetch(partition, 0)));
  }

  @Test
  void producesGetDenseOffsetsAndAFetchReturnsThemInOrder() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    assertEquals(0, produce(partition, batch(-1, 0, "a", "b", "c")).baseOffset());
    assertEquals(3, produce(partition, batch(-1, 0, "d")).baseOffset());
    assertEquals(4, produce(partition, batch(-1, 0, "e", "f")).baseOffset());

    FetchResponse all = fetch(partition, 0);
    assertEquals(ErrorCode.NONE, all.error());
    assertEquals(6, all.highWatermark());
    assertEquals(List.of("a", "b", "c", "d", "e", "f"), values(all));
    assertEquals(List.of("d", "e", "f"), values(fetch(partition, 3)), "from the batch holding offset 3");
  }

  @Test
  void aRetriedIdempotentBatchGetsItsOriginalOffsetAndIsNotStoredTwice() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    RecordBatch first = batch(7, 0, "a", "b");
    assertEquals(0, produce(partition, first).baseOffset());
    assertEquals(2, produce(partition, batch(7, 2, "c")).baseOffset());

    ProduceResponse retried = produce(partition, batch(7, 0, "a", "b"));
    assertEquals(ErrorCode.NONE, retried.error());
    assertEquals(0, retried.baseOffset());
    assertEquals(List.of("a", "b", "c"), values(fetch(partition, 0)));
  }

  @Test
  void aSequenceGapIsRefusedAndNothingIsStored() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    assertEquals(0, produce(partition, batch(7, 0, "a")).baseOffset());
    ProduceResponse gap = produce(partition, batch(7, 5, "lost-before-me"));
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, gap.error());
    assertTrue(gap.errorMessage().contains("sent sequence 5 but 1 was expected"), gap.errorMessage());
    assertEquals(1, produce(partition, batch(7, 1, "b")).baseOffset(), "the gap took no offset");
    assertEquals(List.of("a", "b"), values(fetch(partition, 0)));
  }

  @Test
  void anOversizedOrCorruptBatchIsRefusedWithItsReason() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    ProduceResponse tooLarge = produce(partition, batch(-1, 0, "x".repeat(5_000)));
    assertEquals(ErrorCode.RECORD_TOO_LARGE, tooLarge.error());
    assertTrue(tooLarge.errorMessage().contains("max.message.bytes=4096"), tooLarge.errorMessage());

    byte[] corrupt = batch(-1, 0, "payload").toByteArray();
    corrupt[corrupt.length - 2] ^= 0x55;
    assertEquals(ErrorCode.CORRUPT_RECORD, produce(partition, corrupt).error());

    assertEquals(0, produce(partition, batch(-1, 0, "fine")).baseOffset(), "refusals took no offsets");
  }

  @Test
  void aFetchAtTheEndWaitsForTheNextProduce() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    produce(partition, batch(-1, 0, "a"));
    sendFetch(partition, 1, 30_000);
    fetched.expectNoMessage(Duration.ofMillis(200)); // no data yet: the fetch is parked, not answered empty
    produce(partition, batch(-1, 0, "b"));
    FetchResponse woken = fetched.receiveMessage(Duration.ofSeconds(10));
    assertEquals(List.of("b"), values(woken), "answered with the record that arrived after it");
  }

  @Test
  void aFetchOutsideTheLogIsRefusedWithTheBounds() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    produce(partition, batch(-1, 0, "a", "b"));
    FetchResponse beyond = fetch(partition, 3);
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, beyond.error());
    assertTrue(beyond.errorMessage().contains("[0, 2]"), beyond.errorMessage());
    assertEquals(2, beyond.highWatermark());
  }

  @Test
  void aRestartedPartitionContinuesAfterItsLastOffsetAndStillRecognisesRetries() {
    ActorRef<PartitionCommand> partition = spawnPartition();
    produce(partition, batch(7, 0, "a", "b"));
    produce(partition, batch(-1, 0, "c"));
    testKit.stop(partition, Duration.ofSeconds(10));

    ActorRef<PartitionCommand> again = spawnPartition();
    assertEquals(0, produce(again, batch(7, 0, "a", "b")).baseOffset(), "the retry is recognised after the restart");
    assertEquals(3, produce(again, batch(-1, 0, "d")).baseOffset());
    assertEquals(List.of("a", "b", "c", "d"), values(fetch(again, 0)));
  }

  @Test
  void aTopicCreatedAgainWhileThePartitionRunsIsNeverServedTheOldLog() throws Exception {
    ActorRef<PartitionCommand> partition = spawnPartition();
    produce(partition, batch(-1, 0, "old-1", "old-2"));

    topicWithId("topic-id-2", Map.of()); // deleted and created again; this partition missed the delete
    TestProbe<ListOffsetsResponse> offsets = testKit.createTestProbe(ListOffsetsResponse.class);
    partition.tell(new ListOffsets(TOPIC, 0, ListOffsets.LATEST, offsets.ref()));
    assertEquals(ErrorCode.NOT_LEADER, offsets.receiveMessage(Duration.ofSeconds(10)).error(), "told to retry");
    gateway.expectTerminated(partition, Duration.ofSeconds(10));

    ActorRef<PartitionCommand> restarted = spawnPartition();
    FetchResponse fresh = fetch(restarted, 0);
    assertEquals(0, fresh.highWatermark());
    assertEquals(List.of(), values(fresh));
    assertEquals(0, produce(restarted, batch(-1, 0, "new")).baseOffset());
    try (Stream<Path> aside = Files.list(dir.resolve("journal").resolve(LogFiles.QUARANTINE_DIRECTORY))) {
      assertEquals(1, aside.count(), "the old log is kept aside, not deleted");
    }
  }

  /**
   * A full disk takes the front offline instead of restarting it into the same log: the failed
   * write and every later produce get KAFKA_STORAGE_ERROR with the reason, what was stored is still
   * served, and once space returns a restart of the partition continues after its last write.
   */
  @Test
  void aFullDiskTakesThePartitionOfflineAndARestartWithSpaceContinuesAfterItsLastWrite() throws Exception {
    try (Tmpfs disk = Tmpfs.mount(dir.resolve("journal"), "1m")) {
      ActorRef<PartitionCommand> partition = spawnPartition();
      List<String> acknowledged = new ArrayList<>();
      ProduceResponse refused = null;
      while (refused == null) {
        assertTrue(acknowledged.size() < 1_000, "1,000 batches of 3 KB fitted on a 1 MiB file system");
        String value = acknowledged.size() + ":" + "x".repeat(3_000);
        ProduceResponse response = produce(partition, batch(7, acknowledged.size(), value));
        if (response.error() == ErrorCode.NONE) {
          assertEquals(acknowledged.size(), response.baseOffset());
          acknowledged.add(value);
        } else {
          refused = response;
        }
      }
      assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, refused.error(), refused.errorMessage());
      assertTrue(refused.errorMessage().contains("No space left on device"), refused.errorMessage());
      assertTrue(refused.errorMessage().contains("orders-0 is offline"), refused.errorMessage());
      ProduceResponse again = produce(partition, batch(7, acknowledged.size(), "refused"));
      assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, again.error(), "offline, not a sequence error: " + again.errorMessage());
      assertEquals(acknowledged, allValues(partition), "what was stored is still served, nothing more");

      testKit.stop(partition, Duration.ofSeconds(10));
      disk.resize("8m");
      ActorRef<PartitionCommand> restarted = spawnPartition();
      ProduceResponse retried = produce(restarted, batch(7, acknowledged.size(), "retried"));
      assertEquals(ErrorCode.NONE, retried.error(), retried.errorMessage());
      assertEquals(acknowledged.size(), retried.baseOffset(), "continues after the last complete write");
      List<String> expected = new ArrayList<>(acknowledged);
      expected.add("retried");
      assertEquals(expected, allValues(restarted));
      testKit.shutdownTestKit(); // closes the journal before its file system goes
    }
  }

  /**
   * A log that cannot be opened must not turn every request into a restart that hits it again (and
   * drops the requests stashed meanwhile): the partition stays up and says why.
   */
  @Test
  void aPartitionWhoseLogCannotBeOpenedAnswersEveryRequestWithAStorageError() throws Exception {
    Path journal = Files.createDirectories(dir.resolve("journal"));
    Files.writeString(journal.resolve(PARTITION_ID), "a file where the log's directory belongs");
    TopicConfig defaults = TopicConfig.defaults(testKit.system().settings().config(), 1L << 30);
    ActorRef<PartitionCommand> partition = testKit.spawn(
        PartitionEntity.create(REPLICA_ID, metadata, defaults, gateway.ref(), new BrokerMetrics(), broker()));
    for (int i = 0; i < 3; i++) {
      ProduceResponse refused = produce(partition, batch(-1, 0, "x"));
      assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, refused.error(), refused.errorMessage());
      assertTrue(refused.errorMessage().contains("orders-0 could not be opened"), refused.errorMessage());
    }
    assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, fetch(partition, 0).error());
    TestProbe<ListOffsetsResponse> offsets = testKit.createTestProbe(ListOffsetsResponse.class);
    partition.tell(new ListOffsets(TOPIC, 0, ListOffsets.LATEST, offsets.ref()));
    assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, offsets.receiveMessage(Duration.ofSeconds(10)).error());
  }
}
