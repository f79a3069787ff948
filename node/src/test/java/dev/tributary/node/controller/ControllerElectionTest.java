package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.controller.ControllerRecord.AlterConfigs;
import dev.tributary.node.controller.ControllerRecord.AlterPartition;
import dev.tributary.node.controller.ControllerRecord.CreateTopic;
import dev.tributary.node.controller.ControllerRecord.ElectPreferredLeaders;
import dev.tributary.node.controller.ControllerRecord.FenceBroker;
import dev.tributary.node.controller.ControllerRecord.RegisterBroker;
import dev.tributary.node.controller.ControllerState.Outcome;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.PartitionInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Leaders, ISRs and epochs as the controller's log decides them: fencing, registering again, ISR
 * changes asked for by leaders, unclean and preferred elections. One partition with replicas
 * [0, 1, 2] unless a test says otherwise.
 */
class ControllerElectionTest {

  private ControllerState state = ControllerState.empty();

  private Outcome apply(ControllerRecord entry) {
    ControllerState.Applied applied = state.apply(entry, state.index() + 1);
    state = applied.state();
    return applied.outcome();
  }

  private void register(int id, String directory) {
    assertTrue(apply(new RegisterBroker(id, "inc-" + state.index(), directory, "127.0.0.1:" + (25520 + id), ""))
        .succeeded());
  }

  private void fence(int id) {
    apply(new FenceBroker(id, state.brokers().get(id).epoch()));
    assertTrue(state.brokers().get(id).fenced());
  }

  /** Brokers 0, 1, 2 and topic t with one partition on [0, 1, 2] (placement made deterministic by asserting it). */
  private PartitionState threeReplicas(Map<String, String> configs) {
    register(0, "d0");
    register(1, "d1");
    register(2, "d2");
    assertTrue(apply(new CreateTopic("t", "tid", 1, 3, configs)).succeeded());
    PartitionState p = partition();
    assertEquals(3, p.replicas().size());
    return p;
  }

  private PartitionState partition() {
    return state.topics().get("t").assignment().get(0);
  }

  @Test
  void fencingTheLeaderElectsTheNextLiveIsrMemberAndBumpsBothEpochs() {
    PartitionState before = threeReplicas(Map.of());
    int leader = before.leader();
    int next = before.replicas().get(1);

    fence(leader);

    PartitionState after = partition();
    assertEquals(next, after.leader());
    assertFalse(after.isr().contains(leader), "the fenced broker leaves the ISR in the same decision");
    assertEquals(2, after.isr().size());
    assertEquals(before.leaderEpoch() + 1, after.leaderEpoch());
    assertEquals(before.partitionEpoch() + 1, after.partitionEpoch());
  }

  @Test
  void fencingAFollowerShrinksTheIsrWithoutALeaderChange() {
    PartitionState before = threeReplicas(Map.of());
    int follower = before.replicas().get(2);

    fence(follower);

    PartitionState after = partition();
    assertEquals(before.leader(), after.leader());
    assertEquals(before.leaderEpoch(), after.leaderEpoch());
    assertEquals(before.partitionEpoch() + 1, after.partitionEpoch());
    assertFalse(after.isr().contains(follower));
  }

  @Test
  void theLastIsrMemberStaysInItAndIsTheOnlyOneElectedWhenItReturns() {
    PartitionState p = threeReplicas(Map.of());
    int a = p.replicas().get(0);
    int b = p.replicas().get(1);
    int c = p.replicas().get(2);
    fence(a);
    fence(b);
    assertEquals(c, partition().leader());
    fence(c);

    PartitionState offline = partition();
    assertTrue(offline.offline());
    assertEquals(List.of(c), offline.isr(), "the last in-sync replica is remembered");
    assertTrue(state.topics().get("t").metadata(List.of("")).partitionInfo().get(0).offline());

    register(a, "d" + a);
    assertTrue(partition().offline(), "a broker that was out of the ISR is not elected: it may lack committed data");

    register(c, "d" + c);
    assertEquals(c, partition().leader());
    assertTrue(partition().leaderEpoch() > offline.leaderEpoch());
  }

  @Test
  void uncleanElectionLetsAnOutOfSyncReplicaLeadAlone() {
    PartitionState p = threeReplicas(Map.of("unclean.leader.election.enable", "true"));
    int a = p.replicas().get(0);
    p.replicas().forEach(this::fence); // every replica's broker, in replica order
    assertTrue(partition().offline());

    register(a, "d" + a);

    assertEquals(a, partition().leader());
    assertEquals(List.of(a), partition().isr());
  }

  @Test
  void enablingUncleanElectionLeadsAnOfflinePartitionAtOnce() {
    PartitionState p = threeReplicas(Map.of());
    int a = p.replicas().get(0);
    p.replicas().forEach(this::fence); // every replica's broker, in replica order
    register(a, "d" + a);
    assertTrue(partition().offline());

    assertTrue(apply(new AlterConfigs("t", Map.of("unclean.leader.election.enable", "true"))).succeeded());

    assertEquals(a, partition().leader());
  }

  @Test
  void aBrokerBackOnAnEmptyDiskLeavesEveryIsrAndIsNeverElectedCleanly() {
    register(0, "d0");
    assertTrue(apply(new CreateTopic("t", "tid", 1, 1, Map.of())).succeeded());
    fence(0);
    assertEquals(List.of(0), partition().isr());

    register(0, "another-disk");

    assertTrue(partition().offline(), "its only replica lost the data: offline, not led empty");
    assertEquals(List.of(), partition().isr());
  }

  @Test
  void aBrokerRestartedWithinItsSessionIsFencedAsItsOldIncarnationFirst() {
    PartitionState before = threeReplicas(Map.of());
    int leader = before.leader();

    register(leader, "d" + leader); // no FenceBroker between: it came back before its session expired

    PartitionState after = partition();
    assertFalse(after.isr().contains(leader), "back from a restart it catches up before it rejoins the ISR");
    assertEquals(before.replicas().get(1), after.leader());
    assertTrue(after.leaderEpoch() > before.leaderEpoch());
  }

  @Test
  void aLonePartitionLeaderRestartedWithinItsSessionLeadsAgainInANewEpoch() {
    register(0, "d0");
    assertTrue(apply(new CreateTopic("t", "tid", 1, 1, Map.of())).succeeded());
    PartitionState before = partition();

    register(0, "d0");

    assertEquals(0, partition().leader());
    assertTrue(partition().leaderEpoch() > before.leaderEpoch(), "requests of its old incarnation are fenced");
  }

  @Test
  void theLeaderChangesTheIsrOnlyInItsCurrentEpochs() {
    PartitionState p = threeReplicas(Map.of());
    int leader = p.leader();
    int follower = p.replicas().get(1);
    List<Integer> shrunk = List.of(leader, p.replicas().get(2));

    Outcome stale = apply(new AlterPartition("t", 0, leader, p.leaderEpoch(), p.partitionEpoch() + 1, shrunk));
    assertEquals(ErrorCode.INVALID_UPDATE_VERSION, stale.error(), stale.message());
    Outcome notLeader = apply(new AlterPartition("t", 0, follower, p.leaderEpoch(), p.partitionEpoch(), shrunk));
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, notLeader.error(), notLeader.message());
    Outcome oldEpoch = apply(new AlterPartition("t", 0, leader, p.leaderEpoch() - 1, p.partitionEpoch(), shrunk));
    assertEquals(ErrorCode.FENCED_LEADER_EPOCH, oldEpoch.error(), oldEpoch.message());
    assertEquals(p, partition(), "refused changes change nothing");

    Outcome shrink = apply(new AlterPartition("t", 0, leader, p.leaderEpoch(), p.partitionEpoch(), shrunk));
    assertTrue(shrink.succeeded(), shrink.message());
    assertEquals(p.replicas().stream().filter(shrunk::contains).toList(), partition().isr());
    assertEquals(p.partitionEpoch() + 1, partition().partitionEpoch());
    assertEquals(p.leaderEpoch(), partition().leaderEpoch(), "an ISR change is not a leader change");
    assertEquals(partition().partitionEpoch(), shrink.value(), "the answer carries the new partition epoch");

    Outcome expand = apply(new AlterPartition("t", 0, leader, p.leaderEpoch(), p.partitionEpoch() + 1,
        List.of(follower, leader, p.replicas().get(2))));
    assertTrue(expand.succeeded(), expand.message());
    assertEquals(p.replicas(), partition().isr(), "kept in replica order");
  }

  @Test
  void anIsrMustHoldItsLeaderAndOnlyLiveReplicas() {
    PartitionState p = threeReplicas(Map.of());
    int leader = p.leader();
    int follower = p.replicas().get(1);
    register(9, "d9");
    fence(p.replicas().get(2));
    PartitionState now = partition();

    for (List<Integer> isr : List.of(List.of(follower), List.of(leader, 9), List.of(leader, leader),
        List.of(leader, p.replicas().get(2)))) {
      Outcome o = apply(new AlterPartition("t", 0, leader, now.leaderEpoch(), now.partitionEpoch(), isr));
      assertEquals(ErrorCode.INELIGIBLE_REPLICA, o.error(), isr + ": " + o.message());
    }
    assertEquals(now, partition());
  }

  @Test
  void preferredLeadersGetLeadershipBackOnceInSync() {
    PartitionState p = threeReplicas(Map.of());
    int preferred = p.replicas().get(0);
    fence(preferred);
    register(preferred, "d" + preferred);
    PartitionState moved = partition();
    assertEquals(p.replicas().get(1), moved.leader());
    assertEquals(0, state.preferredLeaderImbalance(), "not in sync yet: nothing to move back");
    assertEquals(0, apply(new ElectPreferredLeaders()).count());

    apply(new AlterPartition("t", 0, moved.leader(), moved.leaderEpoch(), moved.partitionEpoch(), p.replicas()));
    assertEquals(1, state.preferredLeaderImbalance());

    Outcome elected = apply(new ElectPreferredLeaders());

    assertEquals(1, elected.count());
    assertEquals(preferred, partition().leader());
    assertTrue(partition().leaderEpoch() > moved.leaderEpoch());
    assertEquals(0, state.preferredLeaderImbalance());
  }

  @Test
  void metadataNamesTheLeaderAndIsrPerPartition() {
    PartitionState p = threeReplicas(Map.of());
    fence(p.leader());
    PartitionInfo info = ClusterMetadata.of(state, 0, 1).topics().get("t").partitionInfo().get(0);
    assertEquals(partition().info(), info);
    String leaderAddress = ClusterMetadata.of(state, 0, 1).topics().get("t").leaders().get(0);
    assertEquals(ClusterMetadata.pekkoAddress("127.0.0.1:" + (25520 + info.leader())), leaderAddress);
  }
}
