package dev.tributary.node;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;

/**
 * What {@link ClusterMembershipLog} says about the other members of this broker's cluster: one
 * line when one is up, one when it is removed, one when it becomes unreachable and one when it is
 * reachable again. Nothing about this broker itself (its own start and stop have their lines), and
 * nothing twice: Pekko reports a graceful leave as left, exited and removed, and a crash as
 * unreachable, downed and removed, but an operator needs one line per change.
 *
 * <p>Members are told apart by their unique address, so a broker restarted on the same address is
 * a new member. Not thread-safe: one actor owns it.
 */
final class MembershipChanges {

  /** A line to log, and whether it is a warning. */
  record Line(boolean warning, String text) {}

  private final UniqueAddress self;
  /** Whether this broker is up itself: before, members already there "are in" the cluster, not "joined". */
  private boolean selfUp;
  private final Set<UniqueAddress> up = new HashSet<>();
  private final Set<UniqueAddress> unreachable = new HashSet<>();

  MembershipChanges(UniqueAddress self) {
    this.self = self;
  }

  /** A member already up when this broker started to listen (its cluster's state then). */
  Optional<Line> alreadyUp(UniqueAddress member, int brokerId) {
    return up(member, brokerId, "is in the cluster");
  }

  /** A member is up (Pekko's MemberUp). */
  Optional<Line> up(UniqueAddress member, int brokerId) {
    return up(member, brokerId, selfUp ? "joined the cluster" : "is in the cluster");
  }

  private Optional<Line> up(UniqueAddress member, int brokerId, String what) {
    if (member.equals(self)) {
      selfUp = true;
      return Optional.empty();
    }
    return up.add(member) ? info(member, brokerId, what) : Optional.empty();
  }

  /**
   * A member was removed (Pekko's MemberRemoved), after leaving ({@code previous} exiting) or being
   * downed. Said only of members said to be up: one that never got up never joined.
   */
  Optional<Line> removed(UniqueAddress member, int brokerId, MemberStatus previous) {
    boolean downed = previous.equals(MemberStatus.down());
    if (!downed && !previous.equals(MemberStatus.exiting())) {
      // Pekko removes only exiting and downed members. Any other removal is this broker's own
      // cluster shutting down: its last event removes every member from its view.
      return Optional.empty();
    }
    unreachable.remove(member);
    if (!up.remove(member)) {
      return Optional.empty();
    }
    return info(member, brokerId, downed ? "was removed from the cluster (downed)" : "left the cluster");
  }

  /** A member is unreachable from some member of the cluster (Pekko's UnreachableMember). */
  Optional<Line> unreachable(UniqueAddress member, int brokerId) {
    if (member.equals(self) || !unreachable.add(member)) {
      return Optional.empty();
    }
    return Optional.of(new Line(true, describe(member, brokerId) + " is unreachable"));
  }

  /** An unreachable member is reachable again (Pekko's ReachableMember). */
  Optional<Line> reachable(UniqueAddress member, int brokerId) {
    if (!unreachable.remove(member)) {
      return Optional.empty();
    }
    return info(member, brokerId, "is reachable again");
  }

  private static Optional<Line> info(UniqueAddress member, int brokerId, String what) {
    return Optional.of(new Line(false, describe(member, brokerId) + " " + what));
  }

  /** {@code Broker 1 (127.0.0.1:25521)}: the id as in replica sets, the address as in cluster describe. */
  static String describe(UniqueAddress member, int brokerId) {
    String address = member.address().getHost().orElse("?") + ":"
        + member.address().getPort().map(String::valueOf).orElse("?");
    return (brokerId >= 0 ? "Broker " + brokerId : "Cluster member") + " (" + address + ")";
  }
}
