package dev.tributary.kafka;

import dev.tributary.client.TopicPartition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.protocol.Errors;

/**
 * The classic-protocol side of the members this listener speaks for. Our coordinator runs KIP-848
 * membership: a member says what it holds and the coordinator answers what it may hold. A classic
 * consumer never says what it holds between two JoinGroups, so the listener keeps, per member, what
 * it may hold: what it reported at its last JoinGroup (its subscription's owned partitions) plus
 * every assignment handed out in SyncGroup since. Reporting that to the coordinator over-states at
 * worst, which only delays a handover; it never lets a partition have two owners, because a
 * classic consumer takes only what SyncGroup gives it. With that, the latest member epoch heard can
 * be reported as applied, so older offers never hold partitions back.
 *
 * <p>The classic generation is per member here: it goes up at each JoinGroup of that member and is
 * what its Heartbeat, SyncGroup and OffsetCommit must carry. No clock of its own: callers pass the
 * time. Thread-safe (every method locks the instance; none blocks).
 */
final class ClassicMembers {

  /** What a JoinGroup says about the member. */
  record Joining(String clientId, String clientHost, String protocolName, String assignor, byte[] subscription,
      List<String> topics, Set<TopicPartition> owned, int sessionTimeoutMs) {}

  /** A KIP-848 heartbeat to send for the member (an empty member id joins). */
  record Report(String memberId, int appliedEpoch, List<String> topics, List<TopicPartition> owned,
      int sessionTimeoutMs, String assignor) {}

  /** A DescribeGroups member's classic details. */
  record Described(String clientId, String clientHost, byte[] subscription) {}

  /** Whether a commit may go to the coordinator, and as which member at which epoch. */
  record CommitCheck(Errors error, String memberId, int epoch) {}

  private record Key(String groupId, String memberId) {}

  private static final class Member {
    Joining joining;
    int generation;
    int epoch;
    boolean awaitingSync = true;
    /** What the member may hold: its owned partitions at its last join, and what SyncGroup gave it since. */
    final Set<TopicPartition> mayHold = new TreeSet<>();
    Set<TopicPartition> synced = Set.of();
    long lastSeenNanos;
  }

  private final Map<Key, Member> members = new HashMap<>();

  /** The heartbeat to send for a JoinGroup; {@code memberId} is empty for a new member. */
  synchronized Report joinReport(String groupId, String memberId, Joining joining, long nowNanos) {
    forgetSilent(nowNanos);
    Member m = members.get(new Key(groupId, memberId));
    int epoch = m == null ? 0 : m.epoch;
    // The consumer's own report: after an eager revocation it holds nothing, whatever it was given.
    return new Report(m == null ? "" : memberId, epoch, joining.topics(), List.copyOf(new TreeSet<>(joining.owned())),
        joining.sessionTimeoutMs(), joining.assignor());
  }

  /** Whether a JoinGroup's member id is one this listener knows (an empty one always is: it joins). */
  synchronized boolean knows(String groupId, String memberId) {
    return memberId.isEmpty() || members.containsKey(new Key(groupId, memberId));
  }

  /** The coordinator took the JoinGroup: the member's new generation. */
  synchronized int joined(String groupId, String memberId, int epoch, Joining joining, long nowNanos) {
    Member m = members.computeIfAbsent(new Key(groupId, memberId), k -> new Member());
    m.joining = joining;
    m.generation++;
    m.epoch = epoch;
    m.awaitingSync = true;
    m.mayHold.clear();
    m.mayHold.addAll(joining.owned());
    m.lastSeenNanos = nowNanos;
    return m.generation;
  }

  /** NONE, or why a request with this member id and generation is refused (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION). */
  synchronized Errors check(String groupId, String memberId, int generation) {
    Member m = members.get(new Key(groupId, memberId));
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    return m.generation == generation ? Errors.NONE : Errors.ILLEGAL_GENERATION;
  }

  /** The heartbeat to send for a known member now (SyncGroup, Heartbeat). */
  synchronized Optional<Report> report(String groupId, String memberId, long nowNanos) {
    Member m = members.get(new Key(groupId, memberId));
    if (m == null) {
      return Optional.empty();
    }
    m.lastSeenNanos = nowNanos;
    return Optional.of(new Report(memberId, m.epoch, m.joining.topics(), List.copyOf(m.mayHold),
        m.joining.sessionTimeoutMs(), m.joining.assignor()));
  }

  /** SyncGroup hands out {@code assignment}, the coordinator's offer at {@code epoch}. */
  synchronized void synced(String groupId, String memberId, int epoch, List<TopicPartition> assignment) {
    Member m = members.get(new Key(groupId, memberId));
    if (m != null) {
      m.epoch = Math.max(m.epoch, epoch);
      m.awaitingSync = false;
      m.synced = Set.copyOf(assignment);
      m.mayHold.addAll(assignment);
    }
  }

  /**
   * A heartbeat answer for the member: whether it must rejoin, because what it may hold now differs
   * from what it was given (Kafka's REBALANCE_IN_PROGRESS; a member between JoinGroup and SyncGroup
   * gets the new offer in its SyncGroup).
   */
  synchronized boolean heard(String groupId, String memberId, int epoch, List<TopicPartition> offer) {
    Member m = members.get(new Key(groupId, memberId));
    if (m == null) {
      return false;
    }
    m.epoch = Math.max(m.epoch, epoch);
    return !m.awaitingSync && !m.synced.equals(Set.copyOf(offer));
  }

  synchronized void remove(String groupId, String memberId) {
    members.remove(new Key(groupId, memberId));
  }

  /**
   * A commit's member: from outside the group (no member id) as our empty member id; a classic
   * member at its current generation as itself at its latest epoch.
   */
  synchronized CommitCheck checkCommit(String groupId, String memberId, int generation) {
    if (memberId == null || memberId.isEmpty()) {
      return new CommitCheck(Errors.NONE, "", -1);
    }
    Errors error = check(groupId, memberId, generation);
    return error != Errors.NONE ? new CommitCheck(error, memberId, -1)
        : new CommitCheck(Errors.NONE, memberId, members.get(new Key(groupId, memberId)).epoch);
  }

  /** The classic protocol name of the group's members (Kafka's name for {@code assignor} if none here chose one). */
  synchronized String protocolName(String groupId, String assignor) {
    for (Map.Entry<Key, Member> e : members.entrySet()) {
      if (e.getKey().groupId().equals(groupId) && e.getValue().joining.assignor().equals(assignor)) {
        return e.getValue().joining.protocolName();
      }
    }
    return switch (assignor) {
      case "round-robin" -> "roundrobin";
      case "sticky" -> "cooperative-sticky";
      default -> assignor;
    };
  }

  synchronized Described described(String groupId, String memberId) {
    Member m = members.get(new Key(groupId, memberId));
    return m == null ? null : new Described(m.joining.clientId(), m.joining.clientHost(), m.joining.subscription());
  }

  /** Our assignor for a classic protocol name, if we have one that assigns alike. */
  static Optional<String> assignorFor(String protocolName) {
    return switch (protocolName) {
      case "range" -> Optional.of("range");
      case "roundrobin" -> Optional.of("round-robin");
      case "sticky", "cooperative-sticky" -> Optional.of("sticky");
      default -> Optional.empty();
    };
  }

  /** Forgets members not heard of for twice their session timeout: the coordinator removed them long ago. */
  private void forgetSilent(long nowNanos) {
    members.values().removeIf(m -> nowNanos - m.lastSeenNanos > 2L * m.joining.sessionTimeoutMs() * 1_000_000L);
  }
}
