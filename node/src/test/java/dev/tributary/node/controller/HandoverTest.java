package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a stopping broker waits for, read off metadata made by the controller's own state from the
 * entries a cluster commits: three brokers, a topic on all three, the group log, and the
 * {@code FenceBroker} a controlled shutdown commits.
 */
class HandoverTest {

  private static final TopicConfig DEFAULTS = new TopicConfig(-1, -1, 1 << 30, 1_048_588, 1, false);

  /** The controller's state, one entry after the other. */
  private ControllerState state = ControllerState.empty();

  private long apply(ControllerRecord entry) {
    ControllerState.Applied applied = state.apply(entry, state.index() + 1);
    assertEquals(ErrorCode.NONE, applied.outcome().error(), applied.outcome().message());
    state = applied.state();
    return applied.outcome().value();
  }

  private long register(int id) {
    return apply(new ControllerRecord.RegisterBroker(id, "incarnation-" + id + "-" + state.index(), "dir-" + id,
        "127.0.0.1:" + (25520 + id), ""));
  }

  private MetadataResponse metadata() {
    return ClusterMetadata.of(state, 0, 1);
  }

  /** Brokers 0, 1, 2 and topics "t" (3 partitions) and __groups (3 partitions), every replica in sync. */
  private long[] threeBrokersWithTopics(int minInsync) {
    long[] epochs = {register(0), register(1), register(2)};
    apply(new ControllerRecord.CreateTopic("t", "id-t", 3, 3, Map.of("min.insync.replicas", Integer.toString(minInsync))));
    apply(new ControllerRecord.CreateTopic(GroupPartitions.TOPIC, "id-g", 3, 3, Map.of("min.insync.replicas", "2")));
    return epochs;
  }

  @Test
  void aRunningBrokerIsNotReleasedAndLeadsItsPreferredPartitionsOfEveryTopic() {
    long[] epochs = threeBrokersWithTopics(2);
    Handover handover = new Handover(1, epochs[1]);
    MetadataResponse m = metadata();
    assertFalse(handover.releasedIn(m));
    List<String> led = handover.ledIn(m);
    assertTrue(led.stream().anyMatch(id -> id.startsWith("t-")), "a partition of t: " + led);
    assertTrue(led.stream().anyMatch(id -> id.startsWith(GroupPartitions.TOPIC + "-")), "a partition of __groups: " + led);
    assertEquals(led.stream().filter(id -> id.startsWith(GroupPartitions.TOPIC)).count(), handover.groupPartitionsLedIn(m));
    assertEquals(List.of(0, 2), handover.peers(m).stream().map(BrokerInfo::id).toList());
  }

  @Test
  void theFenceReleasesTheBrokerAndNoPartitionIsLeftBehindWhenEveryReplicaWasInSync() {
    long[] epochs = threeBrokersWithTopics(2);
    Handover handover = new Handover(1, epochs[1]);
    apply(new ControllerRecord.FenceBroker(1, epochs[1]));
    MetadataResponse m = metadata();
    assertTrue(handover.releasedIn(m), "fenced and leading nothing: " + m);
    assertEquals(List.of(), handover.ledIn(m));
    assertEquals(List.of(0, 2), handover.peers(m).stream().map(BrokerInfo::id).toList(), "a fenced broker is no peer");
    assertEquals(List.of(), handover.leftBehind(m, DEFAULTS), "two of three in sync take min.insync.replicas 2");
  }

  @Test
  void metadataFromBeforeTheFenceOrWithoutTheBrokerDoesNotRelease() {
    long[] epochs = threeBrokersWithTopics(2);
    Handover handover = new Handover(1, epochs[1]);
    MetadataResponse before = metadata();
    apply(new ControllerRecord.FenceBroker(1, epochs[1]));
    assertFalse(handover.releasedIn(before));
    assertFalse(handover.releasedIn(new MetadataResponse(0, Map.of(), List.of())), "no metadata yet");
    assertTrue(handover.releasedIn(metadata()));
    register(1);
    assertTrue(handover.releasedIn(metadata()), "a later registration replaces the stopped incarnation");
  }

  @Test
  void aPartitionWhoseOnlyInSyncReplicaStopsGoesOfflineAndOneBelowMinInsyncIsNamed() {
    long[] epochs = threeBrokersWithTopics(2);
    // Broker 2 dies: t's partitions keep brokers 0 and 1 in their ISRs.
    apply(new ControllerRecord.FenceBroker(2, epochs[2]));
    Handover handover = new Handover(1, epochs[1]);
    apply(new ControllerRecord.FenceBroker(1, epochs[1]));
    MetadataResponse m = metadata();
    assertTrue(handover.releasedIn(m));
    List<String> left = handover.leftBehind(m, DEFAULTS);
    assertEquals(6, left.size(), "every partition of both topics is left with broker 0 alone: " + left);
    assertTrue(left.stream().allMatch(l -> l.contains("refuses acks=all writes (ISR [0], min.insync.replicas 2)")), left.toString());
    // Broker 0 stops as well: it was the last in-sync replica of everything.
    Handover last = new Handover(0, epochs[0]);
    apply(new ControllerRecord.FenceBroker(0, epochs[0]));
    List<String> offline = last.leftBehind(metadata(), DEFAULTS);
    assertEquals(6, offline.size(), offline.toString());
    assertTrue(offline.stream().allMatch(l -> l.contains("offline until broker 0 is back")), offline.toString());
  }

  @Test
  void aFenceIsCommittableWhileAMajorityOfTheVotersIsLiveOrTheKnownControllerIs() {
    long[] epochs = threeBrokersWithTopics(2);
    Handover handover = new Handover(0, epochs[0]);
    java.util.Set<Integer> voters = java.util.Set.of(0, 1, 2);
    assertTrue(handover.fenceCommittable(metadata(), voters));
    assertTrue(handover.fenceCommittable(metadata(), java.util.Set.of()), "voters unknown: the controller, 0, is live");
    apply(new ControllerRecord.FenceBroker(1, epochs[1]));
    assertTrue(handover.fenceCommittable(metadata(), voters), "itself and broker 2: two of three");
    apply(new ControllerRecord.FenceBroker(2, epochs[2]));
    assertFalse(handover.fenceCommittable(metadata(), voters), "itself alone: one of three");
    Handover other = new Handover(1, epochs[1]);
    MetadataResponse controllerFenced = ClusterMetadata.of(state, 2, 1);
    assertFalse(other.fenceCommittable(controllerFenced, java.util.Set.of()), "voters unknown, controller 2 fenced");
  }

  @Test
  void aTopicWithOneCopyIsNotLeftBehindItAlwaysStopsWithItsBroker() {
    long epoch = register(0);
    register(1);
    apply(new ControllerRecord.CreateTopic("single", "id-s", 2, 1, Map.of()));
    apply(new ControllerRecord.FenceBroker(0, epoch));
    assertEquals(List.of(), new Handover(0, epoch).leftBehind(metadata(), DEFAULTS));
  }
}
