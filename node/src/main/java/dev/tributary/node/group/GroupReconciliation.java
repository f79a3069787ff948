package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest.MemberDescription;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consumer group's membership and assignment, without actors or clocks: the coordinator feeds it
 * heartbeats, departures and the time, and sends the offers it returns. Each member has a target
 * (what the group's assignor gives it) and is offered its target less every partition another
 * member holds or may still hold, so a partition never has two owners: it reaches its new owner
 * only after the old owner applied an assignment without it.
 *
 * <p>The protocol it implements is described in {@code docs/GROUPS.md}. Not thread-safe: the
 * coordinator calls it from its actor only.
 */
final class GroupReconciliation {

  /** The session timeout of a member that asks for none, as in Kafka (10 s). */
  static final int DEFAULT_SESSION_TIMEOUT_MS = 10_000;

  /** What a member reports in a heartbeat. */
  record Report(int appliedEpoch, Set<TopicPartition> owned, Subscription subscription, String assignor,
      int sessionTimeoutMs) {
    Report {
      owned = Set.copyOf(owned);
    }
  }

  /** The partitions a member may hold now, at its member epoch: what it is sent. */
  record Offer(String memberId, int epoch, List<TopicPartition> partitions) {
    Offer {
      partitions = List.copyOf(partitions);
    }
  }

  /** Why a commit is refused. */
  record Refusal(ErrorCode error, String message) {}

  /** A member removed because it missed its session timeout. */
  record Expired(String memberId, int sessionTimeoutMs) {}

  private static final class Member {
    final String id;
    int epoch = 1;
    Set<String> topics = Set.of();
    Subscription subscription = Subscription.NONE;
    String assignor = Assignor.DEFAULT;
    Set<TopicPartition> owned = Set.of();
    Set<TopicPartition> target = new TreeSet<>();
    /**
     * Assignments sent to the member, by member epoch, that it may not have applied yet: it may
     * hold any of these partitions until a heartbeat shows it has applied a later epoch.
     */
    final TreeMap<Integer, Set<TopicPartition>> pendingOffers = new TreeMap<>();
    /** The epoch of the assignment the member last applied (reported in its heartbeat). */
    int appliedEpoch;
    /** The member epoch at which each partition it holds or is to hold was given to it. */
    final Map<TopicPartition, Integer> assignedAt = new HashMap<>();
    int sessionTimeoutMs = DEFAULT_SESSION_TIMEOUT_MS;
    long lastSeenNanos;
    /** The last offer sent to the member, by heartbeat answer or push, and its epoch. */
    List<TopicPartition> lastSent = List.of();
    int lastSentEpoch = -1;

    Member(String id, long nowNanos) {
      this.id = id;
      this.lastSeenNanos = nowNanos;
    }

    /** Every partition the member holds or may hold right now. */
    Set<TopicPartition> mayHold() {
      Set<TopicPartition> all = new HashSet<>(owned);
      pendingOffers.values().forEach(all::addAll);
      return all;
    }
  }

  private final String groupId;
  private final Map<String, Member> members = new TreeMap<>();
  /** The partition counts of the subscribed topics at the last assignment. */
  private Map<String, Integer> lastPartitions = Map.of();
  private int generation;

  GroupReconciliation(String groupId) {
    this.groupId = groupId;
  }

  // ---------------------------------------------------------------- the group log

  /**
   * The membership to write to the group log ({@link GroupLogRecord.Membership}): each member's
   * id, epoch, subscription, target and everything it may hold, so the next coordinator knows
   * the members when they heartbeat again and gives none of their partitions away meanwhile.
   */
  GroupLogRecord.Membership membership() {
    List<GroupLogRecord.Member> list = new ArrayList<>();
    for (Member m : members.values()) {
      list.add(new GroupLogRecord.Member(m.id, m.epoch, m.assignor, m.sessionTimeoutMs, List.copyOf(new TreeSet<>(m.topics)),
          m.subscription.pattern() == null ? "" : m.subscription.pattern().pattern(), List.copyOf(m.target),
          List.copyOf(new TreeSet<>(m.mayHold()))));
    }
    return new GroupLogRecord.Membership(groupId, generation, list);
  }

  /**
   * The group as a coordinator before this one left it ({@link #membership()}), every member seen
   * at {@code nowNanos}. Until a member's heartbeat says what it holds, it is taken to hold every
   * partition it may have held, at its epoch; its target stays, so the sticky assignor keeps it.
   */
  static GroupReconciliation restored(GroupLogRecord.Membership membership, long nowNanos) {
    GroupReconciliation group = new GroupReconciliation(membership.groupId());
    group.generation = membership.generation();
    for (GroupLogRecord.Member r : membership.members()) {
      Member m = new Member(r.memberId(), nowNanos);
      m.epoch = r.epoch();
      m.assignor = r.assignor();
      m.sessionTimeoutMs = r.sessionTimeoutMs();
      m.topics = Set.copyOf(r.topics());
      m.subscription = r.topicPattern().isEmpty()
          ? new Subscription(m.topics, null) : Subscription.of(List.of(), r.topicPattern(), null);
      m.target = new TreeSet<>(r.target());
      m.owned = Set.copyOf(r.held());
      m.pendingOffers.put(r.epoch(), Set.copyOf(r.held()));
      m.appliedEpoch = r.epoch();
      group.members.put(m.id, m);
    }
    return group;
  }

  // ---------------------------------------------------------------- membership

  /** Adds a member with no subscription and nothing assigned; its first heartbeat follows. */
  void join(String memberId, long nowNanos) {
    if (members.putIfAbsent(memberId, new Member(memberId, nowNanos)) != null) {
      throw new IllegalArgumentException("member " + memberId + " is already in group " + groupId);
    }
  }

  boolean contains(String memberId) {
    return members.containsKey(memberId);
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  int size() {
    return members.size();
  }

  /** The member's subscription (for reusing its compiled pattern), empty for an unknown member. */
  Optional<Subscription> subscription(String memberId) {
    return Optional.ofNullable(members.get(memberId)).map(m -> m.subscription);
  }

  /**
   * A known member's heartbeat: records what it holds and which assignment it applied, updates its
   * subscription, reassigns when the subscription or the subscribed topics' partitions changed,
   * and returns the offer to answer with (recorded as sent).
   *
   * @param topics every existing topic's partition count
   */
  Offer heartbeat(String memberId, Report report, Map<String, Integer> topics, long nowNanos) {
    Member member = member(memberId);
    member.lastSeenNanos = nowNanos;
    member.sessionTimeoutMs = report.sessionTimeoutMs() > 0 ? report.sessionTimeoutMs() : DEFAULT_SESSION_TIMEOUT_MS;
    member.owned = report.owned();
    // The heartbeat carries the epoch of the assignment the member has applied: older offers are settled.
    member.appliedEpoch = Math.max(member.appliedEpoch, report.appliedEpoch());
    member.pendingOffers.headMap(member.appliedEpoch, false).clear();
    Set<String> subscribed = report.subscription().resolve(topics);
    boolean resubscribed = !subscribed.equals(member.topics) || !report.assignor().equals(member.assignor);
    member.topics = subscribed;
    member.subscription = report.subscription();
    member.assignor = report.assignor();
    // A new subscription, or topics that appeared or grew, change the target assignment.
    if (resubscribed || !partitionsByTopic(topics).equals(lastPartitions)) {
      reassign(topics);
    }
    return send(member, holders());
  }

  /** Removes a member that left; its partitions are free at once. */
  void leave(String memberId, Map<String, Integer> topics) {
    member(memberId);
    members.remove(memberId);
    reassign(topics);
  }

  /** Removes every member whose last heartbeat is older than its session timeout. */
  List<Expired> evictExpired(long nowNanos, Map<String, Integer> topics) {
    List<Expired> expired = new ArrayList<>();
    for (Iterator<Member> it = members.values().iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (nowNanos - m.lastSeenNanos > m.sessionTimeoutMs * 1_000_000L) {
        it.remove();
        expired.add(new Expired(m.id, m.sessionTimeoutMs));
      }
    }
    if (!expired.isEmpty()) {
      reassign(topics);
    }
    return expired;
  }

  /**
   * The offers to push: one for every member in {@code reachable} whose offer differs from what it
   * was last sent, each recorded as sent. So a handover completes as soon as the old owner lets go
   * instead of at the new owner's next heartbeat.
   */
  List<Offer> changedOffers(Set<String> reachable) {
    List<Offer> offers = new ArrayList<>();
    Map<TopicPartition, Integer> holders = holders();
    for (Member m : members.values()) {
      if (reachable.contains(m.id) && (m.epoch != m.lastSentEpoch || !offerFor(m, holders).equals(m.lastSent))) {
        offers.add(send(m, holders));
        holders = holders(); // an offer made is a partition the member may now hold
      }
    }
    return offers;
  }

  // ---------------------------------------------------------------- assignment

  /** Records an offer as sent: until the member applies a later epoch, it may hold all of it. */
  private Offer send(Member member, Map<TopicPartition, Integer> holders) {
    List<TopicPartition> offer = offerFor(member, holders);
    member.lastSent = offer;
    member.lastSentEpoch = member.epoch;
    member.pendingOffers.merge(member.epoch, Set.copyOf(offer), (a, b) -> {
      Set<TopicPartition> union = new HashSet<>(a);
      union.addAll(b);
      return Set.copyOf(union);
    });
    return new Offer(member.id, member.epoch, offer);
  }

  /**
   * What the member may hold now: its target, less what another member holds or was told it may
   * take. A partition is given only once its previous owner lets it go: never two owners.
   */
  private static List<TopicPartition> offerFor(Member member, Map<TopicPartition, Integer> holders) {
    Set<TopicPartition> mine = member.mayHold();
    List<TopicPartition> offer = new ArrayList<>();
    for (TopicPartition p : member.target) {
      int heldByOthers = holders.getOrDefault(p, 0) - (mine.contains(p) ? 1 : 0);
      if (heldByOthers == 0 || member.owned.contains(p)) {
        offer.add(p);
      }
    }
    return offer;
  }

  /** For each partition, how many members hold it or may hold it. */
  private Map<TopicPartition, Integer> holders() {
    Map<TopicPartition, Integer> holders = new HashMap<>();
    for (Member m : members.values()) {
      m.mayHold().forEach(p -> holders.merge(p, 1, Integer::sum));
    }
    return holders;
  }

  /** The subscribed topics that exist, with their partition counts. */
  private Map<String, Integer> partitionsByTopic(Map<String, Integer> topics) {
    Map<String, Integer> out = new TreeMap<>();
    for (Member m : members.values()) {
      for (String topic : m.topics) {
        Integer partitions = topics.get(topic);
        if (partitions != null) {
          out.put(topic, partitions);
        }
      }
    }
    return out;
  }

  /**
   * Runs the group's assignor for new targets. A member whose target changed gets a new epoch; the
   * generation goes up once per change.
   */
  private void reassign(Map<String, Integer> topics) {
    Map<String, Set<String>> subscriptions = new TreeMap<>();
    Map<String, Set<TopicPartition>> previous = new HashMap<>();
    members.values().forEach(m -> {
      subscriptions.put(m.id, m.topics);
      previous.put(m.id, m.target);
    });
    lastPartitions = partitionsByTopic(topics);
    Map<String, Set<TopicPartition>> targets = Assignor.named(assignor()).orElseThrow()
        .assign(subscriptions, lastPartitions, previous);
    boolean changed = false;
    for (Member m : members.values()) {
      Set<TopicPartition> next = targets.getOrDefault(m.id, Set.of());
      if (!next.equals(m.target)) {
        m.epoch++;
        for (TopicPartition p : next) {
          if (!m.target.contains(p) && !m.mayHold().contains(p)) {
            m.assignedAt.put(p, m.epoch);
          }
        }
        m.target = new TreeSet<>(next);
        changed = true;
      }
      Set<TopicPartition> mayHold = m.mayHold();
      m.assignedAt.keySet().removeIf(p -> !m.target.contains(p) && !mayHold.contains(p));
    }
    if (changed || generation == 0) {
      generation++;
    }
  }

  // ---------------------------------------------------------------- commits

  /**
   * Whether a commit may be stored. While the group has members only members commit; a commit is
   * valid when the member holds (or may hold) every partition named and its epoch is at or after
   * the epoch at which it got the partition and not beyond its current epoch, so members whose
   * partitions did not move are never refused.
   *
   * @param memberId empty for a commit from outside the group (allowed while it has no members)
   */
  Optional<Refusal> checkCommit(String memberId, int memberEpoch, Collection<TopicPartition> partitions) {
    if (memberId.isEmpty() && members.isEmpty()) {
      return Optional.empty();
    }
    Member member = members.get(memberId);
    if (member == null) {
      return Optional.of(new Refusal(ErrorCode.UNKNOWN_MEMBER_ID, "member '" + memberId
          + "' is not in group " + groupId + "; only members commit while the group has members"));
    }
    for (TopicPartition p : partitions) {
      if (!member.target.contains(p) && !member.mayHold().contains(p)) {
        return Optional.of(new Refusal(ErrorCode.NOT_PARTITION_OWNER, "member " + member.id + " does not own " + p));
      }
      int since = member.assignedAt.getOrDefault(p, 1);
      if (memberEpoch < since || memberEpoch > member.epoch) {
        return Optional.of(new Refusal(ErrorCode.STALE_MEMBER_EPOCH, "member epoch " + memberEpoch
            + " is not current for " + p + " (held since epoch " + since + ", member epoch " + member.epoch + ")"));
      }
    }
    return Optional.empty();
  }

  // ---------------------------------------------------------------- views

  /** Goes up once per change of the target assignment (and once for the group's first assignment). */
  int generation() {
    return generation;
  }

  /** The assignor most members prefer (ties: the first by name), as Kafka's KIP-848 chooses. */
  String assignor() {
    Map<String, Integer> votes = new TreeMap<>();
    members.values().forEach(m -> votes.merge(m.assignor, 1, Integer::sum));
    String chosen = Assignor.DEFAULT;
    int most = 0;
    for (Map.Entry<String, Integer> vote : votes.entrySet()) {
      if (vote.getValue() > most) {
        chosen = vote.getKey();
        most = vote.getValue();
      }
    }
    return chosen;
  }

  int epoch(String memberId) {
    return member(memberId).epoch;
  }

  /** What the group's assignor gives the member, whether or not it may hold all of it yet. */
  Set<TopicPartition> target(String memberId) {
    return Set.copyOf(member(memberId).target);
  }

  /** The member's target partitions that another member still holds or may hold: not offered yet. */
  Set<TopicPartition> awaitingRevocation(String memberId) {
    Member member = member(memberId);
    Set<TopicPartition> waiting = new TreeSet<>(member.target);
    offerFor(member, holders()).forEach(waiting::remove);
    return waiting;
  }

  /** "Empty", "Stable" (every member holds exactly its target) or "Reconciling". */
  String phase() {
    if (members.isEmpty()) {
      return "Empty";
    }
    for (Member m : members.values()) {
      if (!m.owned.equals(m.target) || !m.mayHold().equals(m.target)) {
        return "Reconciling";
      }
    }
    return "Stable";
  }

  List<MemberDescription> describe() {
    List<MemberDescription> list = new ArrayList<>();
    for (Member m : members.values()) {
      list.add(new MemberDescription(m.id, m.epoch, List.copyOf(new TreeSet<>(m.topics)), List.copyOf(m.target)));
    }
    return list;
  }

  private Member member(String memberId) {
    Member member = members.get(memberId);
    if (member == null) {
      throw new IllegalArgumentException("member " + memberId + " is not in group " + groupId);
    }
    return member;
  }
}
