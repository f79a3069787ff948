package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.junit.jupiter.api.Test;

/** What the membership log says, event by event, without a cluster. */
class MembershipChangesTest {

  private static UniqueAddress member(int port, long uid) {
    return new UniqueAddress(new Address("pekko", "tributary", "127.0.0.1", port), uid);
  }

  private final UniqueAddress self = member(25520, 1);
  private final UniqueAddress other = member(25521, 2);
  private final MembershipChanges changes = new MembershipChanges(self);
  private final List<String> lines = new ArrayList<>();

  private void say(Optional<MembershipChanges.Line> line) {
    line.ifPresent(l -> lines.add((l.warning() ? "WARN " : "INFO ") + l.text()));
  }

  @Test
  void aBrokerJoiningAndLeavingIsOneLineEachAndThisBrokerIsNeverNamed() {
    say(changes.up(self, 0));
    say(changes.up(other, 1));
    say(changes.up(other, 1));
    say(changes.removed(other, 1, MemberStatus.exiting()));
    say(changes.removed(other, 1, MemberStatus.exiting()));
    say(changes.removed(self, 0, MemberStatus.exiting()));
    assertEquals(List.of(
        "INFO Broker 1 (127.0.0.1:25521) joined the cluster",
        "INFO Broker 1 (127.0.0.1:25521) left the cluster"), lines);
  }

  /** Typed subscriptions replay the state as events: members seen in the state first are not said twice. */
  @Test
  void membersAlreadyUpAreInTheClusterOnceThoughTheirUpIsReplayed() {
    say(changes.alreadyUp(self, 0));
    say(changes.alreadyUp(other, 1));
    say(changes.up(other, 1));
    say(changes.up(self, 0));
    say(changes.up(member(25522, 3), 2));
    assertEquals(List.of(
        "INFO Broker 1 (127.0.0.1:25521) is in the cluster",
        "INFO Broker 2 (127.0.0.1:25522) joined the cluster"), lines);
  }

  /** The last event of a cluster node shutting down removes every member, each still up: not news of them. */
  @Test
  void thisBrokersOwnShutdownRemovingTheOthersFromItsViewSaysNothing() {
    say(changes.up(self, 0));
    say(changes.up(other, 1));
    lines.clear();
    say(changes.removed(other, 1, MemberStatus.up()));
    say(changes.removed(self, 0, MemberStatus.exiting()));
    assertEquals(List.of(), lines);
  }

  @Test
  void brokersUpBeforeThisOneAreInTheClusterRatherThanJoined() {
    say(changes.up(other, 1));
    say(changes.up(self, 0));
    assertEquals(List.of("INFO Broker 1 (127.0.0.1:25521) is in the cluster"), lines);
  }

  @Test
  void unreachableThenDownedAndRemovedIsAWarningAndOneLineForTheRemoval() {
    say(changes.up(self, 0));
    say(changes.up(other, 1));
    say(changes.unreachable(other, 1));
    say(changes.unreachable(other, 1));
    say(changes.removed(other, 1, MemberStatus.down()));
    say(changes.reachable(other, 1)); // removed: it is not coming back as this member
    assertEquals(List.of(
        "INFO Broker 1 (127.0.0.1:25521) joined the cluster",
        "WARN Broker 1 (127.0.0.1:25521) is unreachable",
        "INFO Broker 1 (127.0.0.1:25521) was removed from the cluster (downed)"), lines);
  }

  @Test
  void reachableAgainIsSaidOnceAndOnlyAfterUnreachable() {
    say(changes.up(self, 0));
    say(changes.reachable(other, 1));
    say(changes.unreachable(other, 1));
    say(changes.reachable(other, 1));
    say(changes.reachable(other, 1));
    say(changes.unreachable(self, 0));
    assertEquals(List.of(
        "WARN Broker 1 (127.0.0.1:25521) is unreachable",
        "INFO Broker 1 (127.0.0.1:25521) is reachable again"), lines);
  }

  @Test
  void aBrokerRestartedOnTheSameAddressIsANewMember() {
    say(changes.up(self, 0));
    say(changes.up(other, 1));
    UniqueAddress restarted = member(25521, 3);
    say(changes.removed(other, 1, MemberStatus.down()));
    say(changes.up(restarted, 1));
    assertEquals(List.of(
        "INFO Broker 1 (127.0.0.1:25521) joined the cluster",
        "INFO Broker 1 (127.0.0.1:25521) was removed from the cluster (downed)",
        "INFO Broker 1 (127.0.0.1:25521) joined the cluster"), lines);
  }

  @Test
  void aMemberNeverUpIsNotSaidToLeaveAndOneWithoutABrokerIdIsAClusterMember() {
    say(changes.up(self, 0));
    say(changes.removed(other, 1, MemberStatus.down()));
    say(changes.up(member(25599, 9), -1));
    assertEquals(List.of("INFO Cluster member (127.0.0.1:25599) joined the cluster"), lines);
  }
}
