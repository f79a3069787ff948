package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.controller.ControllerRecord.AddPartitions;
import dev.tributary.node.controller.ControllerRecord.AllocateProducerIds;
import dev.tributary.node.controller.ControllerRecord.AlterConfigs;
import dev.tributary.node.controller.ControllerRecord.CreateTopic;
import dev.tributary.node.controller.ControllerRecord.DeleteTopic;
import dev.tributary.node.controller.ControllerRecord.FenceBroker;
import dev.tributary.node.controller.ControllerRecord.InitCluster;
import dev.tributary.node.controller.ControllerRecord.RegisterBroker;
import dev.tributary.node.controller.ControllerState.Applied;
import dev.tributary.node.controller.ControllerState.Outcome;
import dev.tributary.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ControllerStateTest {

  /** A controller log applied one entry after the other, at consecutive indexes. */
  private static final class Log {
    ControllerState state = ControllerState.empty();
    Outcome last;

    Outcome apply(ControllerRecord entry) {
      long index = state.index() + 1;
      Applied applied = state.apply(entry, index);
      assertEquals(index, applied.state().index(), "every applied entry advances the index: " + entry);
      state = applied.state();
      last = applied.outcome();
      return last;
    }

    /** A log whose first entries register these brokers. */
    static Log withBrokers(int... ids) {
      Log log = new Log();
      for (int id : ids) {
        log.register(id, "d" + id);
      }
      return log;
    }

    /** Registers the broker and answers its epoch. */
    long register(int id, String directoryId) {
      Outcome o = apply(new RegisterBroker(id, "inc-" + id + "-" + state.index(), directoryId, "127.0.0.1:" + (25520 + id),
          "127.0.0.1:" + (9092 + id)));
      assertEquals(ErrorCode.NONE, o.error());
      return o.value();
    }
  }

  private static CreateTopic create(String name, int partitions) {
    return new CreateTopic(name, "id-" + name, partitions, 1, Map.of());
  }

  /** The state but for the index: what a refused entry must leave as it was. */
  private static void assertUnchangedButIndex(ControllerState before, ControllerState after) {
    assertEquals(before.index() + 1, after.index());
    assertEquals(new ControllerState(before.clusterId(), before.topics(), before.nextProducerId(), before.brokers(),
        after.index()), after);
  }

  private static void assertRefused(Log log, ControllerRecord entry, ErrorCode error) {
    ControllerState before = log.state;
    Outcome o = log.apply(entry);
    assertEquals(error, o.error(), o.message());
    assertFalse(o.succeeded());
    assertFalse(o.message().isEmpty(), "a refusal says why");
    assertUnchangedButIndex(before, log.state);
  }

  // --- topics ---

  @Test
  void createTopic() {
    Log log = Log.withBrokers(0);
    Outcome o = log.apply(new CreateTopic("orders", "tid-1", 3, 1, Map.of("retention.ms", "60000")));

    assertTrue(o.succeeded(), o.message());
    assertEquals("orders", o.topic().name());
    assertEquals("tid-1", o.topic().topicId());
    ControllerState.Topic topic = log.state.topics().get("orders");
    assertEquals(new ControllerState.Topic("orders", "tid-1", 3, Map.of("retention.ms", "60000"),
        List.of(PartitionState.created(List.of(0)), PartitionState.created(List.of(0)), PartitionState.created(List.of(0)))),
        topic);
  }

  @Test
  void secondCreateOfTheSameNameIsRefusedAndKeepsTheFirst() {
    Log log = Log.withBrokers(0);
    log.apply(new CreateTopic("orders", "tid-1", 3, 1, Map.of()));
    Map<String, ControllerState.Topic> topics = log.state.topics();

    assertRefused(log, new CreateTopic("orders", "tid-2", 5, 1, Map.of("retention.ms", "1")), ErrorCode.TOPIC_ALREADY_EXISTS);
    assertEquals(topics, log.state.topics());
    assertEquals("tid-1", log.state.topics().get("orders").topicId());
  }

  @Test
  void theSameCreateAgainSucceedsWithTheTopicItMadeAndChangesNothing() {
    // A door sends a create again to a new controller when the old one died unanswered; the old
    // one may have committed it first. The request id is the topic id, so the copy is recognised.
    Log log = Log.withBrokers(0);
    log.apply(new CreateTopic("orders", "tid-1", 3, 1, Map.of()));
    ControllerState before = log.state;

    Outcome again = log.apply(new CreateTopic("orders", "tid-1", 3, 1, Map.of()));

    assertTrue(again.succeeded(), again.message());
    assertEquals(before.topics().get("orders").metadata(List.of()), again.topic());
    assertEquals(before.topics(), log.state.topics());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", "..", "has space", "slash/name", "__internal", "ü"})
  void badTopicNameIsRefused(String name) {
    Log log = Log.withBrokers(0);
    assertRefused(log, create(name, 1), ErrorCode.INVALID_TOPIC);
    assertTrue(log.state.topics().isEmpty());
  }

  @Test
  void tooLongTopicNameIsRefused() {
    Log log = Log.withBrokers(0);
    assertRefused(log, create("t".repeat(250), 1), ErrorCode.INVALID_TOPIC);
    assertTrue(log.apply(create("t".repeat(249), 1)).succeeded());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, ControllerState.MAX_PARTITIONS + 1})
  void partitionCountOutOfRangeIsRefused(int partitions) {
    Log log = Log.withBrokers(0);
    assertRefused(log, create("t", partitions), ErrorCode.INVALID_PARTITIONS);
  }

  @Test
  void partitionCountBoundsAreAccepted() {
    Log log = Log.withBrokers(0);
    assertTrue(log.apply(create("one", 1)).succeeded());
    assertTrue(log.apply(create("max", ControllerState.MAX_PARTITIONS)).succeeded());
  }

  @Test
  void badConfigIsRefused() {
    for (Map<String, String> configs : List.of(Map.of("retention.ms", "soon"), Map.of("no.such.key", "1"),
        Map.of("segment.bytes", "1"), Map.of("retention.bytes", "-2"))) {
      Log log = Log.withBrokers(0);
      assertRefused(log, new CreateTopic("t", "tid", 1, 1, configs), ErrorCode.INVALID_CONFIG);
    }
  }

  @Test
  void replicasSpreadOverLiveBrokersWithPreferredLeadersBalanced() {
    Log log = Log.withBrokers(0, 1, 2, 3);
    long epoch4 = log.register(4, "d4");
    log.apply(new FenceBroker(4, epoch4)); // fenced: holds no new replica

    Outcome o = log.apply(new CreateTopic("spread", "tid", 12, 3, Map.of()));

    assertTrue(o.succeeded(), o.message());
    List<PartitionState> assignment = log.state.topics().get("spread").assignment();
    assertEquals(12, assignment.size());
    Map<Integer, Integer> leaders = new HashMap<>();
    Map<Integer, Integer> replicas = new HashMap<>();
    for (PartitionState p : assignment) {
      assertEquals(3, p.replicas().size(), p.toString());
      assertEquals(3, new HashSet<>(p.replicas()).size(), "three distinct brokers: " + p);
      assertFalse(p.replicas().contains(4), "no replica on the fenced broker: " + p);
      assertEquals(p.replicas(), p.isr(), "a new partition's replicas are all in sync");
      assertEquals(p.replicas().get(0), p.leader(), "the preferred replica leads");
      assertEquals(0, p.leaderEpoch());
      leaders.merge(p.leader(), 1, Integer::sum);
      p.replicas().forEach(r -> replicas.merge(r, 1, Integer::sum));
    }
    assertEquals(Map.of(0, 3, 1, 3, 2, 3, 3, 3), leaders, "leaders balanced");
    assertEquals(Map.of(0, 9, 1, 9, 2, 9, 3, 9), replicas, "replicas balanced");
    assertEquals(3, o.topic().replicationFactor());
    assertEquals(assignment.get(5).info(), o.topic().partitionInfo().get(5), "metadata carries the assignment");
  }

  @Test
  void followersOfOneBrokersPartitionsSpreadOverTheOthers() {
    Log log = Log.withBrokers(0, 1, 2, 3);
    log.apply(new CreateTopic("t", "tid", 8, 2, Map.of()));
    Set<Integer> followersOfLeader = new HashSet<>();
    int someLeader = log.state.topics().get("t").assignment().get(0).leader();
    for (PartitionState p : log.state.topics().get("t").assignment()) {
      if (p.leader() == someLeader) {
        followersOfLeader.add(p.replicas().get(1));
      }
    }
    assertEquals(2, followersOfLeader.size(), "the shift moves every n partitions: " + log.state.topics().get("t"));
  }

  @Test
  void oneBrokerHoldsEverything() {
    Log log = Log.withBrokers(7);
    log.apply(create("t", 4));
    log.state.topics().get("t").assignment().forEach(p -> assertEquals(List.of(7), p.replicas()));
  }

  @Test
  void aFactorAboveTheLiveBrokersIsRefused() {
    Log log = Log.withBrokers(0, 1);
    long epoch2 = log.register(2, "d2");
    log.apply(new FenceBroker(2, epoch2));
    assertRefused(log, new CreateTopic("t", "tid", 1, 3, Map.of()), ErrorCode.INVALID_REPLICATION_FACTOR);
    assertTrue(log.last.message().contains("2 live broker"), log.last.message());
    assertRefused(Log.withBrokers(), create("early", 1), ErrorCode.INVALID_REPLICATION_FACTOR);
  }

  @Test
  void anEntryFromBeforeReplicationMeansOneReplica() {
    Log log = Log.withBrokers(0, 1);
    assertTrue(log.apply(new CreateTopic("old", "tid", 2, 0, Map.of())).succeeded());
    assertEquals(1, log.state.topics().get("old").replicationFactor());
  }

  @Test
  void addPartitionsPlacesTheNewOnesWithTheTopicsFactor() {
    Log log = Log.withBrokers(0, 1, 2);
    log.apply(new CreateTopic("grow", "id-grow", 2, 2, Map.of()));
    List<PartitionState> before = log.state.topics().get("grow").assignment();

    Outcome o = log.apply(new AddPartitions("grow", 5));

    assertTrue(o.succeeded(), o.message());
    ControllerState.Topic grown = log.state.topics().get("grow");
    assertEquals(5, grown.partitions());
    assertEquals(5, grown.assignment().size());
    assertEquals(before, grown.assignment().subList(0, 2), "existing partitions stay as they are");
    grown.assignment().forEach(p -> assertEquals(2, p.replicas().size(), p.toString()));
    assertEquals("id-grow", grown.topicId());
    assertEquals(5, o.topic().partitions());
  }

  @Test
  void addPartitionsNeedsAsManyLiveBrokersAsTheFactor() {
    Log log = Log.withBrokers(0, 1);
    log.apply(new CreateTopic("t", "tid", 1, 2, Map.of()));
    log.apply(new FenceBroker(1, log.state.brokers().get(1).epoch()));
    assertRefused(log, new AddPartitions("t", 2), ErrorCode.INVALID_REPLICATION_FACTOR);
  }

  @Test
  void addPartitionsRefusals() {
    Log log = Log.withBrokers(0);
    log.apply(create("t", 3));
    assertRefused(log, new AddPartitions("t", 3), ErrorCode.INVALID_PARTITIONS);
    assertRefused(log, new AddPartitions("t", 2), ErrorCode.INVALID_PARTITIONS);
    assertRefused(log, new AddPartitions("t", ControllerState.MAX_PARTITIONS + 1), ErrorCode.INVALID_PARTITIONS);
    assertRefused(log, new AddPartitions("missing", 5), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }

  @Test
  void alterConfigsSetsAndResetsKeys() {
    Log log = Log.withBrokers(0);
    log.apply(new CreateTopic("t", "tid", 1, 1, Map.of("retention.ms", "60000", "segment.bytes", "1048576")));

    Outcome set = log.apply(new AlterConfigs("t", Map.of("retention.bytes", "1000", "retention.ms", "120000")));
    assertTrue(set.succeeded(), set.message());
    assertEquals(Map.of("retention.ms", "120000", "segment.bytes", "1048576", "retention.bytes", "1000"),
        log.state.topics().get("t").configs());
    assertEquals(log.state.topics().get("t").configs(), set.topic().configs());

    Outcome reset = log.apply(new AlterConfigs("t", Map.of("retention.ms", "", "segment.bytes", "")));
    assertTrue(reset.succeeded(), reset.message());
    assertEquals(Map.of("retention.bytes", "1000"), log.state.topics().get("t").configs());

    // Resetting a key that was never set is fine.
    assertTrue(log.apply(new AlterConfigs("t", Map.of("max.message.bytes", ""))).succeeded());
    assertEquals(Map.of("retention.bytes", "1000"), log.state.topics().get("t").configs());
  }

  @Test
  void alterConfigsRefusesUnknownKeysAndBadValues() {
    Log log = Log.withBrokers(0);
    log.apply(new CreateTopic("t", "tid", 1, 1, Map.of("retention.ms", "60000")));

    assertRefused(log, new AlterConfigs("t", Map.of("no.such.key", "1")), ErrorCode.INVALID_CONFIG);
    assertTrue(log.last.message().contains("no.such.key"), log.last.message());
    // An unknown key is refused even as a reset, and refuses the known keys beside it.
    assertRefused(log, new AlterConfigs("t", Map.of("no.such.key", "")), ErrorCode.INVALID_CONFIG);
    assertRefused(log, new AlterConfigs("t", Map.of("retention.ms", "1", "no.such.key", "1")), ErrorCode.INVALID_CONFIG);
    assertRefused(log, new AlterConfigs("t", Map.of("retention.ms", "soon")), ErrorCode.INVALID_CONFIG);
    assertRefused(log, new AlterConfigs("missing", Map.of("retention.ms", "1")), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assertEquals(Map.of("retention.ms", "60000"), log.state.topics().get("t").configs());
  }

  @Test
  void deleteTopic() {
    Log log = Log.withBrokers(0);
    log.apply(create("doomed", 2));
    log.apply(create("kept", 1));

    Outcome o = log.apply(new DeleteTopic("doomed"));

    assertTrue(o.succeeded(), o.message());
    assertEquals("doomed", o.topic().name(), "the outcome describes the topic as it was");
    assertEquals(Set.of("kept"), log.state.topics().keySet());
    assertRefused(log, new DeleteTopic("doomed"), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

    // The name may be used again, with a new id.
    assertTrue(log.apply(new CreateTopic("doomed", "id-2", 1, 1, Map.of())).succeeded());
    assertEquals("id-2", log.state.topics().get("doomed").topicId());
  }

  @Test
  void everyApplyAdvancesTheIndexEvenWhenRefused() {
    ControllerState state = ControllerState.empty();
    List<ControllerRecord> entries = List.of(
        create("t", 1), create("t", 1), create("", 1), new DeleteTopic("missing"),
        new AllocateProducerIds(9, 1, 10), new FenceBroker(9, 1), new InitCluster("c"), new InitCluster("d"));
    long index = 41;
    for (ControllerRecord entry : entries) {
      index += 3; // the index is the entry's, not a counter of its own
      state = state.apply(entry, index).state();
      assertEquals(index, state.index(), entry.toString());
    }
  }

  // --- producer ids ---

  @Test
  void producerIdBlocksAreConsecutiveAndNeverOverlap() {
    Log log = new Log();
    long epoch1 = log.register(1, "d1");
    long epoch2 = log.register(2, "d2");
    long first = log.state.nextProducerId();

    List<long[]> blocks = new ArrayList<>();
    int[] counts = {10, 1, 500, 7};
    for (int i = 0; i < counts.length; i++) {
      Outcome o = log.apply(new AllocateProducerIds(i % 2 == 0 ? 1 : 2, i % 2 == 0 ? epoch1 : epoch2, counts[i]));
      assertTrue(o.succeeded(), o.message());
      assertEquals(counts[i], o.count());
      blocks.add(new long[] {o.value(), o.count()});
    }

    long expectedStart = first;
    Set<Long> seen = new HashSet<>();
    for (long[] block : blocks) {
      assertEquals(expectedStart, block[0], "blocks are consecutive");
      for (long id = block[0]; id < block[0] + block[1]; id++) {
        assertTrue(seen.add(id), "producer id " + id + " handed out twice");
      }
      expectedStart = block[0] + block[1];
    }
    assertEquals(expectedStart, log.state.nextProducerId());
  }

  @Test
  void producerIdBlockIsCappedAtTheMaximum() {
    Log log = new Log();
    long epoch = log.register(1, "d1");
    Outcome o = log.apply(new AllocateProducerIds(1, epoch, Integer.MAX_VALUE));
    assertEquals(ControllerState.MAX_PRODUCER_ID_BLOCK, o.count());
    assertEquals(o.value() + ControllerState.MAX_PRODUCER_ID_BLOCK, log.state.nextProducerId());
  }

  @Test
  void producerIdsRefusedForAFencedBroker() {
    Log log = new Log();
    long epoch = log.register(1, "d1");
    log.apply(new FenceBroker(1, epoch));
    long next = log.state.nextProducerId();

    assertRefused(log, new AllocateProducerIds(1, epoch, 10), ErrorCode.STALE_BROKER_EPOCH);
    assertEquals(next, log.state.nextProducerId());
  }

  @Test
  void producerIdsRefusedForAnOldEpoch() {
    Log log = new Log();
    long old = log.register(1, "d1");
    long current = log.register(1, "d1");
    long next = log.state.nextProducerId();

    assertRefused(log, new AllocateProducerIds(1, old, 10), ErrorCode.STALE_BROKER_EPOCH);
    assertRefused(log, new AllocateProducerIds(1, current + 1, 10), ErrorCode.STALE_BROKER_EPOCH);
    assertEquals(next, log.state.nextProducerId());
    assertTrue(log.apply(new AllocateProducerIds(1, current, 10)).succeeded());
    assertEquals(next, log.last.value());
  }

  @Test
  void producerIdsRefusedForAnUnknownBroker() {
    Log log = new Log();
    log.register(1, "d1");
    long next = log.state.nextProducerId();

    assertRefused(log, new AllocateProducerIds(2, 1, 10), ErrorCode.BROKER_ID_NOT_REGISTERED);
    assertEquals(next, log.state.nextProducerId());
  }

  // --- brokers ---

  @Test
  void registrationEpochIsTheEntryIndex() {
    ControllerState state = ControllerState.empty();
    Applied applied = state.apply(new RegisterBroker(4, "inc-a", "dir-a", "127.0.0.1:25524", "127.0.0.1:9096"), 17);

    assertEquals(ErrorCode.NONE, applied.outcome().error());
    assertEquals(17, applied.outcome().value());
    assertEquals(new ControllerState.Broker(4, 17, "inc-a", "dir-a", "127.0.0.1:25524", false, false, "127.0.0.1:9096"),
        applied.state().brokers().get(4));
    assertEquals("127.0.0.1:9096", applied.state().brokers().get(4).info().kafkaAddress(),
        "metadata names the Kafka listener the broker registered");
  }

  @Test
  void reRegistrationReplacesTheKafkaAddress() {
    ControllerState state = ControllerState.empty()
        .apply(new RegisterBroker(4, "inc-a", "dir-a", "127.0.0.1:25524", "127.0.0.1:9096"), 1).state();
    long firstEpoch = state.brokers().get(4).epoch();
    state = state.apply(new FenceBroker(4, firstEpoch), 2).state();
    assertEquals("127.0.0.1:9096", state.brokers().get(4).info().kafkaAddress(), "fencing keeps what it registered");

    // Back after a restart: the listener bound another free port.
    Applied again = state.apply(new RegisterBroker(4, "inc-b", "dir-a", "127.0.0.1:25524", "127.0.0.1:9196"), 3);
    assertEquals(ErrorCode.NONE, again.outcome().error());
    assertEquals("127.0.0.1:9196", again.state().brokers().get(4).info().kafkaAddress());

    // And a re-registration of a live incarnation (a restart within the session timeout) too, even to none.
    Applied live = again.state().apply(new RegisterBroker(4, "inc-c", "dir-a", "127.0.0.1:25524", ""), 4);
    assertEquals(4, live.state().brokers().get(4).epoch());
    assertEquals("", live.state().brokers().get(4).info().kafkaAddress());
  }

  @Test
  void reRegistrationGetsAHigherEpoch() {
    Log log = new Log();
    long first = log.register(1, "d1");
    log.apply(create("t", 1));
    long second = log.register(1, "d1");

    assertTrue(second > first, second + " > " + first);
    assertEquals(second, log.state.brokers().get(1).epoch());
    assertFalse(log.state.brokers().get(1).fenced());
  }

  @Test
  void reRegistrationAfterFencingUnfences() {
    Log log = new Log();
    long first = log.register(1, "d1");
    log.apply(new FenceBroker(1, first));
    long second = log.register(1, "d1");

    assertTrue(second > first);
    assertFalse(log.state.brokers().get(1).fenced());
  }

  @Test
  void registrationWithAnotherDirectorySetsNewDirectory() {
    Log log = new Log();
    log.register(1, "dir-a");
    assertFalse(log.state.brokers().get(1).newDirectory(), "a first registration has no previous directory");

    log.register(1, "dir-a");
    assertFalse(log.state.brokers().get(1).newDirectory(), "same directory");

    log.register(1, "dir-b");
    assertTrue(log.state.brokers().get(1).newDirectory(), "another directory");
    assertEquals("dir-b", log.state.brokers().get(1).directoryId());

    log.register(1, "dir-b");
    assertFalse(log.state.brokers().get(1).newDirectory(), "the same directory as the registration before");
  }

  @Test
  void fenceWithTheCurrentEpochFences() {
    Log log = new Log();
    long epoch = log.register(1, "d1");
    log.register(2, "d2");

    assertTrue(log.apply(new FenceBroker(1, epoch)).succeeded());

    ControllerState.Broker fenced = log.state.brokers().get(1);
    assertTrue(fenced.fenced());
    assertEquals(epoch, fenced.epoch(), "fencing keeps the epoch");
    assertFalse(log.state.brokers().get(2).fenced());
  }

  @Test
  void fenceWithAnOldEpochChangesNothing() {
    Log log = new Log();
    long old = log.register(1, "d1");
    log.register(1, "d1"); // registered again before the fence committed
    ControllerState before = log.state;

    Outcome o = log.apply(new FenceBroker(1, old));

    assertEquals(ErrorCode.NONE, o.error());
    assertUnchangedButIndex(before, log.state);
    assertFalse(log.state.brokers().get(1).fenced());
  }

  @Test
  void fenceOfAnUnknownOrFencedBrokerChangesNothing() {
    Log log = new Log();
    long epoch = log.register(1, "d1");
    log.apply(new FenceBroker(1, epoch));
    ControllerState before = log.state;
    log.apply(new FenceBroker(1, epoch));
    assertUnchangedButIndex(before, log.state);

    before = log.state;
    log.apply(new FenceBroker(5, 1));
    assertUnchangedButIndex(before, log.state);
  }

  // --- cluster id ---

  @Test
  void initClusterNamesTheClusterOnce() {
    Log log = new Log();
    assertEquals("", log.state.clusterId());

    assertTrue(log.apply(new InitCluster("first-id")).succeeded());
    assertEquals("first-id", log.state.clusterId());

    ControllerState before = log.state;
    assertTrue(log.apply(new InitCluster("second-id")).succeeded());
    assertEquals("first-id", log.state.clusterId());
    assertUnchangedButIndex(before, log.state);
  }

  // --- determinism ---

  @Test
  void sameEntriesGiveEqualStates() {
    List<ControllerRecord> entries = List.of(
        new InitCluster("cluster-1"),
        new RegisterBroker(2, "inc-2", "dir-2", "h2:1", "h2:9092"),
        new RegisterBroker(0, "inc-0", "dir-0", "h0:1", "h0:9092"),
        new RegisterBroker(1, "inc-1", "dir-1", "h1:1", ""),
        new CreateTopic("a", "tid-a", 5, 1, Map.of("retention.ms", "1000")),
        new CreateTopic("a", "tid-a2", 1, 1, Map.of()),
        new AllocateProducerIds(0, 3, 1000),
        new FenceBroker(1, 4),
        new CreateTopic("b", "tid-b", 4, 1, Map.of()),
        new AddPartitions("a", 8),
        new AlterConfigs("b", Map.of("segment.bytes", "1048576")),
        new RegisterBroker(1, "inc-1b", "dir-1b", "h1:2", "h1:9092"),
        new AllocateProducerIds(1, 12, 5),
        new DeleteTopic("a"),
        new CreateTopic("c", "tid-c", 3, 1, Map.of()));

    ControllerState one = ControllerState.empty();
    ControllerState two = ControllerState.empty();
    List<Outcome> outcomesOne = new ArrayList<>();
    List<Outcome> outcomesTwo = new ArrayList<>();
    long index = 0;
    for (ControllerRecord entry : entries) {
      index++;
      Applied a = one.apply(entry, index);
      one = a.state();
      outcomesOne.add(a.outcome());
    }
    index = 0;
    for (ControllerRecord entry : entries) {
      index++;
      Applied b = two.apply(entry, index);
      two = b.state();
      outcomesTwo.add(b.outcome());
    }

    assertEquals(one, two);
    assertEquals(one.hashCode(), two.hashCode());
    assertEquals(outcomesOne, outcomesTwo);
    // And the sequence did something: the states are not trivially equal.
    assertNotEquals(ControllerState.empty(), one);
    assertEquals(Set.of("b", "c"), one.topics().keySet());
    assertEquals(12, one.brokers().get(1).epoch());
    assertTrue(one.brokers().get(1).newDirectory());
    assertEquals(1 + 1000 + 5, one.nextProducerId());
  }

  @Test
  void stateIsImmutable() {
    Map<String, ControllerState.Topic> topics = new HashMap<>();
    ControllerState state = new ControllerState("c", topics, 1, Map.of(), 0);
    topics.put("t", new ControllerState.Topic("t", "tid", 1, Map.of(), List.of(PartitionState.created(List.of(0)))));
    assertTrue(state.topics().isEmpty());

    ControllerState before = state;
    state.apply(create("x", 1), 1);
    assertTrue(before.topics().isEmpty(), "apply returns a new state and leaves this one as it was");
  }
}
