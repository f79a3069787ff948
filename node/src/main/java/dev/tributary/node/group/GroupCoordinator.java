package dev.tributary.node.group;

import dev.tributary.node.MetadataView;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.GroupRequest.HeartbeatResponse;
import dev.tributary.protocol.message.PartitionRef;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A consumer group's coordinator: the sharded entity for one group id. Its front (this behavior,
 * not persistent) owns membership: joins, heartbeats, session timeouts and the assignment; its
 * {@link GroupStore} child persists committed offsets. Assignment is incremental: a member is told
 * to drop a partition first, and the partition goes to its new owner only once the old owner's
 * heartbeat no longer lists it (or the old owner is gone), so members whose partitions stay put
 * are never paused.
 */
public final class GroupCoordinator extends AbstractBehavior<GroupRequest> {

  static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
  private static final Duration SESSION_CHECK = Duration.ofMillis(250);
  /** Kafka's {@code offset.metadata.max.bytes} default, counted in characters. */
  static final int MAX_METADATA_CHARS = 4096;

  private interface Internal extends GroupRequest, NoSerializationVerificationNeeded {
    @Override
    default String groupId() {
      return "";
    }
  }

  private record CheckSessions() implements Internal {}

  private static final class Member {
    final String id;
    int epoch = 1;
    Set<String> topics = Set.of();
    Set<PartitionRef> owned = Set.of();
    Set<PartitionRef> target = new TreeSet<>();
    /**
     * Assignments sent to the member, by member epoch, that it may not have applied yet: it may
     * hold any of these partitions until a heartbeat shows it has applied a later epoch.
     */
    final TreeMap<Integer, Set<PartitionRef>> pendingOffers = new TreeMap<>();
    /** The epoch of the assignment the member last applied (reported in its heartbeat). */
    int appliedEpoch;

    /** Every partition the member holds or may hold right now. */
    Set<PartitionRef> mayHold() {
      Set<PartitionRef> all = new HashSet<>(owned);
      pendingOffers.values().forEach(all::addAll);
      return all;
    }
    /** The member epoch at which each partition it holds or is to hold was given to it. */
    final Map<PartitionRef, Integer> assignedAt = new HashMap<>();
    int sessionTimeoutMs;
    long lastSeenNanos;
    String assignor = Assignor.DEFAULT;
    /** The member's topic pattern, compiled (null: it names its topics). */
    java.util.regex.Pattern pattern;
    /** The member's inbox for pushed assignments (null: it only learns from heartbeats). */
    ActorRef<HeartbeatResponse> inbox;
    /** The last assignment sent to the member, by heartbeat answer or push, and its epoch. */
    List<PartitionRef> lastSent = List.of();
    int lastSentEpoch = -1;

    Member(String id) {
      this.id = id;
    }
  }

  private final String groupId;
  private final MetadataView metadata;
  private final ActorRef<GroupStore.Command> store;
  private final BrokerMetrics metrics;
  private final Map<String, Member> members = new TreeMap<>();
  private Map<String, Integer> lastPartitions = Map.of();
  private int generation;

  public static Behavior<GroupRequest> create(String groupId, MetadataView metadata, BrokerMetrics metrics) {
    return Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new GroupCoordinator(context, groupId, metadata, metrics, timers)));
  }

  private GroupCoordinator(ActorContext<GroupRequest> context, String groupId, MetadataView metadata,
      BrokerMetrics metrics, TimerScheduler<GroupRequest> timers) {
    super(context);
    this.groupId = groupId;
    this.metadata = metadata;
    this.metrics = metrics;
    this.store = context.spawn(GroupStore.create(groupId), "store");
    timers.startTimerWithFixedDelay(new CheckSessions(), SESSION_CHECK);
    // The stored offsets are in /metrics (with their lag) from the start, not from the next commit.
    withOffsets(state -> state.offsets().values().forEach(this::countCommitted), null);
  }

  private void countCommitted(CommittedOffset o) {
    metrics.groupOffsetCommitted(groupId, o.partition().topic(), o.partition().partition(), o.offset());
  }

  @Override
  public Receive<GroupRequest> createReceive() {
    return newReceiveBuilder()
        .onMessage(GroupRequest.Heartbeat.class, this::onHeartbeat)
        .onMessage(CheckSessions.class, this::onCheckSessions)
        .onMessage(GroupRequest.CommitOffsets.class, this::onCommit)
        .onMessage(GroupRequest.FetchOffsets.class, this::onFetchOffsets)
        .onMessage(GroupRequest.Describe.class, this::onDescribe)
        .onMessage(GroupRequest.ResetOffsets.class, this::onReset)
        .onMessage(GroupRequest.Delete.class, this::onDelete)
        .onMessage(Answer.class, answer -> {
          answer.reply().run();
          return this;
        })
        .onSignal(PostStop.class, stopped -> {
          metrics.groupForgotten(groupId);
          return this;
        })
        .build();
  }

  // ---------------------------------------------------------------- membership

  private Behavior<GroupRequest> onHeartbeat(GroupRequest.Heartbeat hb) {
    String assignor = hb.assignor() == null || hb.assignor().isEmpty() ? Assignor.DEFAULT : hb.assignor();
    if (Assignor.named(assignor).isEmpty()) {
      hb.replyTo().tell(new HeartbeatResponse(ErrorCode.INVALID_REQUEST, "unknown assignor '" + assignor
          + "': use one of " + new TreeSet<>(Assignor.ALL.keySet()), hb.memberId(), -1, List.of(),
          (int) HEARTBEAT_INTERVAL.toMillis()));
      return this;
    }
    java.util.regex.Pattern pattern = null;
    if (hb.topicPattern() != null && !hb.topicPattern().isEmpty()) {
      try {
        Member known = members.get(hb.memberId());
        // Members send their pattern with every heartbeat: compile it once per member.
        pattern = known != null && known.pattern != null && known.pattern.pattern().equals(hb.topicPattern())
            ? known.pattern : java.util.regex.Pattern.compile(hb.topicPattern());
      } catch (java.util.regex.PatternSyntaxException e) {
        hb.replyTo().tell(new HeartbeatResponse(ErrorCode.INVALID_REQUEST, "the topic pattern is not a valid "
            + "regular expression: " + e.getDescription() + " in '" + hb.topicPattern() + "'", hb.memberId(), -1,
            List.of(), (int) HEARTBEAT_INTERVAL.toMillis()));
        return this;
      }
    }
    Member member;
    if (hb.memberId().isEmpty()) {
      if (hb.leaving()) {
        hb.replyTo().tell(reply(null));
        return this;
      }
      member = new Member(UUID.randomUUID().toString());
      members.put(member.id, member);
      getContext().getLog().info("Group {}: member {} joined", groupId, member.id);
    } else {
      member = members.get(hb.memberId());
      if (member == null) {
        hb.replyTo().tell(new HeartbeatResponse(ErrorCode.UNKNOWN_MEMBER_ID,
            "member " + hb.memberId() + " is not in group " + groupId + " (it left or timed out): rejoin",
            hb.memberId(), -1, List.of(), (int) HEARTBEAT_INTERVAL.toMillis()));
        return this;
      }
      if (hb.leaving()) {
        members.remove(member.id);
        getContext().getLog().info("Group {}: member {} left", groupId, member.id);
        rebalance();
        hb.replyTo().tell(reply(null));
        pushChanges();
        return this;
      }
    }
    member.lastSeenNanos = System.nanoTime();
    member.inbox = hb.assignments();
    member.sessionTimeoutMs = hb.sessionTimeoutMs() > 0 ? hb.sessionTimeoutMs() : 10_000;
    member.owned = Set.copyOf(hb.owned());
    // The heartbeat carries the epoch of the assignment the member has applied: older offers are settled.
    member.appliedEpoch = Math.max(member.appliedEpoch, hb.memberEpoch());
    member.pendingOffers.headMap(member.appliedEpoch, false).clear();
    Set<String> topics = subscribedTopics(hb.topics(), pattern);
    boolean resubscribed = !topics.equals(member.topics) || !assignor.equals(member.assignor);
    member.topics = topics;
    member.pattern = pattern;
    member.assignor = assignor;
    // A new subscription, or topics that appeared or grew, change the target assignment.
    if (resubscribed || !partitionsByTopic().equals(lastPartitions)) {
      rebalance();
    }
    hb.replyTo().tell(reply(member));
    // This heartbeat may have changed targets or freed partitions others are waiting for.
    pushChanges();
    return this;
  }

  /**
   * Pushes to every member whose assignment differs from what it was last sent, so a handover
   * completes as soon as the old owner lets go instead of at the new owner's next heartbeat.
   */
  private void pushChanges() {
    Map<PartitionRef, Integer> holders = holders();
    for (Member m : members.values()) {
      if (m.inbox != null && (m.epoch != m.lastSentEpoch || !offerFor(m, holders).equals(m.lastSent))) {
        m.inbox.tell(reply(m));
        holders = holders(); // an offer made is a partition the member may now hold
      }
    }
  }

  private HeartbeatResponse reply(Member member) {
    if (member == null) {
      return new HeartbeatResponse(ErrorCode.NONE, "", "", -1, List.of(), (int) HEARTBEAT_INTERVAL.toMillis());
    }
    List<PartitionRef> assignment = offerFor(member, holders());
    member.lastSent = assignment;
    member.lastSentEpoch = member.epoch;
    member.pendingOffers.merge(member.epoch, Set.copyOf(assignment), (a, b) -> {
      Set<PartitionRef> union = new HashSet<>(a);
      union.addAll(b);
      return Set.copyOf(union);
    });
    return new HeartbeatResponse(ErrorCode.NONE, "", member.id, member.epoch, assignment,
        (int) HEARTBEAT_INTERVAL.toMillis());
  }

  /**
   * What the member may hold now: its target, less what another member holds or was told it may
   * take. A partition is given only once its previous owner lets it go: never two owners.
   */
  private List<PartitionRef> offerFor(Member member, Map<PartitionRef, Integer> holders) {
    Set<PartitionRef> mine = member.mayHold();
    List<PartitionRef> assignment = new ArrayList<>();
    for (PartitionRef p : member.target) {
      int heldByOthers = holders.getOrDefault(p, 0) - (mine.contains(p) ? 1 : 0);
      if (heldByOthers == 0 || member.owned.contains(p)) {
        assignment.add(p);
      }
    }
    return assignment;
  }

  /** For each partition, how many members hold it or may hold it. */
  private Map<PartitionRef, Integer> holders() {
    Map<PartitionRef, Integer> holders = new HashMap<>();
    for (Member m : members.values()) {
      m.mayHold().forEach(p -> holders.merge(p, 1, Integer::sum));
    }
    return holders;
  }

  private Behavior<GroupRequest> onCheckSessions(CheckSessions check) {
    long now = System.nanoTime();
    boolean evicted = false;
    for (Iterator<Member> it = members.values().iterator(); it.hasNext(); ) {
      Member m = it.next();
      if (now - m.lastSeenNanos > m.sessionTimeoutMs * 1_000_000L) {
        it.remove();
        evicted = true;
        getContext().getLog().info("Group {}: member {} missed its {} ms session timeout and was removed",
            groupId, m.id, m.sessionTimeoutMs);
      }
    }
    if (evicted) {
      rebalance();
      pushChanges();
    }
    return this;
  }

  private Map<String, Integer> partitionsByTopic() {
    Set<String> subscribed = new HashSet<>();
    members.values().forEach(m -> subscribed.addAll(m.topics));
    Map<String, Integer> out = new TreeMap<>();
    for (String topic : subscribed) {
      TopicMetadata t = metadata.current().topics().get(topic);
      if (t != null) {
        out.put(topic, t.partitions());
      }
    }
    return out;
  }

  private void rebalance() {
    Map<String, Set<String>> subscriptions = new TreeMap<>();
    Map<String, Set<PartitionRef>> previous = new HashMap<>();
    members.values().forEach(m -> {
      subscriptions.put(m.id, m.topics);
      previous.put(m.id, m.target);
    });
    lastPartitions = partitionsByTopic();
    Map<String, Set<PartitionRef>> targets = Assignor.named(groupAssignor()).orElseThrow()
        .assign(subscriptions, lastPartitions, previous);
    boolean changed = false;
    for (Member m : members.values()) {
      Set<PartitionRef> next = targets.getOrDefault(m.id, Set.of());
      if (!next.equals(m.target)) {
        m.epoch++;
        for (PartitionRef p : next) {
          if (!m.target.contains(p) && !m.mayHold().contains(p)) {
            m.assignedAt.put(p, m.epoch);
          }
        }
        m.target = new TreeSet<>(next);
        changed = true;
      }
      Set<PartitionRef> mayHold = m.mayHold();
      m.assignedAt.keySet().removeIf(p -> !m.target.contains(p) && !mayHold.contains(p));
    }
    if (changed || generation == 0) {
      generation++;
    }
  }

  /** The named topics plus every existing topic the pattern matches (whole name, not internal ones). */
  private Set<String> subscribedTopics(List<String> named, java.util.regex.Pattern pattern) {
    if (pattern == null) {
      return Set.copyOf(named);
    }
    Set<String> topics = new HashSet<>(named);
    for (String topic : metadata.current().topics().keySet()) {
      if (!topic.startsWith("__") && pattern.matcher(topic).matches()) {
        topics.add(topic);
      }
    }
    return Set.copyOf(topics);
  }

  /** The assignor most members prefer (ties: the first by name), as Kafka's KIP-848 chooses. */
  private String groupAssignor() {
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

  // ---------------------------------------------------------------- offsets

  private Behavior<GroupRequest> onCommit(GroupRequest.CommitOffsets commit) {
    if (!commit.memberId().isEmpty() || !members.isEmpty()) {
      Member member = members.get(commit.memberId());
      if (member == null) {
        commit.replyTo().tell(failed(ErrorCode.UNKNOWN_MEMBER_ID, "member '" + commit.memberId()
            + "' is not in group " + groupId + "; only members commit while the group has members"));
        return this;
      }
      // Valid when the member holds the partition and the commit's epoch is at or after the epoch
      // at which it got the partition: members whose partitions did not move are never refused.
      for (CommittedOffset o : commit.offsets()) {
        if (!member.target.contains(o.partition()) && !member.mayHold().contains(o.partition())) {
          commit.replyTo().tell(failed(ErrorCode.NOT_PARTITION_OWNER, "member " + member.id
              + " does not own " + o.partition()));
          return this;
        }
        int since = member.assignedAt.getOrDefault(o.partition(), 1);
        if (commit.memberEpoch() < since || commit.memberEpoch() > member.epoch) {
          commit.replyTo().tell(failed(ErrorCode.STALE_MEMBER_EPOCH, "member epoch " + commit.memberEpoch()
              + " is not current for " + o.partition() + " (held since epoch " + since + ", member epoch "
              + member.epoch + ")"));
          return this;
        }
      }
    }
    for (CommittedOffset o : commit.offsets()) {
      if (o.offset() < 0) {
        commit.replyTo().tell(failed(ErrorCode.INVALID_REQUEST, "offsets must be >= 0, got " + o.offset()));
        return this;
      }
      if (o.metadata() != null && o.metadata().length() > MAX_METADATA_CHARS) {
        commit.replyTo().tell(failed(ErrorCode.OFFSET_METADATA_TOO_LARGE, "the metadata for " + o.partition()
            + " has " + o.metadata().length() + " characters; the limit is " + MAX_METADATA_CHARS));
        return this;
      }
    }
    store(commit.offsets(), commit.replyTo());
    return this;
  }

  /** Persists offsets (a commit or a reset), counts them in the metrics, and answers. */
  private void store(List<CommittedOffset> offsets, ActorRef<GroupRequest.OffsetsResponse> replyTo) {
    getContext().ask(GroupStore.Stored.class, store, Duration.ofSeconds(10),
        ref -> new GroupStore.Store(offsets, ref),
        (stored, error) -> new Answer(() -> {
          if (error == null) {
            stored.offsets().forEach(this::countCommitted);
          }
          replyTo.tell(error == null
              ? new GroupRequest.OffsetsResponse(ErrorCode.NONE, "", stored.offsets())
              : failed(ErrorCode.REQUEST_TIMED_OUT, "storing the offsets failed: " + error.getMessage()));
        }));
  }

  /** Runs a reply on the actor's thread. */
  private record Answer(Runnable reply) implements Internal {}

  private Behavior<GroupRequest> onFetchOffsets(GroupRequest.FetchOffsets fetch) {
    withOffsets(state -> {
      List<CommittedOffset> out = new ArrayList<>();
      if (fetch.partitions().isEmpty()) {
        out.addAll(state.offsets().values());
      } else {
        for (PartitionRef p : fetch.partitions()) {
          CommittedOffset o = state.get(p);
          if (o != null) {
            out.add(o);
          }
        }
      }
      fetch.replyTo().tell(new GroupRequest.OffsetsResponse(ErrorCode.NONE, "", out));
    }, fetch.replyTo());
    return this;
  }

  private Behavior<GroupRequest> onDescribe(GroupRequest.Describe describe) {
    withOffsets(state -> {
      List<GroupRequest.MemberDescription> list = new ArrayList<>();
      boolean stable = true;
      for (Member m : members.values()) {
        list.add(new GroupRequest.MemberDescription(m.id, m.epoch, List.copyOf(new TreeSet<>(m.topics)),
            List.copyOf(m.target)));
        stable &= m.owned.equals(m.target) && m.mayHold().equals(m.target);
      }
      String phase = members.isEmpty() ? "Empty" : stable ? "Stable" : "Reconciling";
      if (members.isEmpty() && state.offsets().isEmpty()) {
        describe.replyTo().tell(new GroupRequest.GroupDescription(ErrorCode.GROUP_ID_NOT_FOUND,
            "group '" + groupId + "' has no members and no committed offsets", groupId, "Dead", generation,
            "", List.of(), List.of()));
        return;
      }
      describe.replyTo().tell(new GroupRequest.GroupDescription(ErrorCode.NONE, "", groupId, phase, generation,
          members.isEmpty() ? "" : groupAssignor(), list, List.copyOf(state.offsets().values())));
    }, null);
    return this;
  }

  private Behavior<GroupRequest> onReset(GroupRequest.ResetOffsets reset) {
    if (!members.isEmpty()) {
      reset.replyTo().tell(failed(ErrorCode.GROUP_NOT_EMPTY, "group '" + groupId + "' has " + members.size()
          + " live member(s): stop its consumers before resetting offsets"));
      return this;
    }
    store(reset.offsets(), reset.replyTo());
    return this;
  }

  private Behavior<GroupRequest> onDelete(GroupRequest.Delete delete) {
    if (!members.isEmpty()) {
      delete.replyTo().tell(failed(ErrorCode.GROUP_NOT_EMPTY, "group '" + groupId + "' has live members"));
      return this;
    }
    ActorRef<GroupRequest.OffsetsResponse> replyTo = delete.replyTo();
    getContext().ask(GroupStore.Stored.class, store, Duration.ofSeconds(10), GroupStore.Clear::new,
        (stored, error) -> new Answer(() -> {
          if (error == null) {
            metrics.groupForgotten(groupId);
          }
          replyTo.tell(error == null
              ? new GroupRequest.OffsetsResponse(ErrorCode.NONE, "", List.of())
              : failed(ErrorCode.REQUEST_TIMED_OUT, "deleting the offsets failed: " + error.getMessage()));
        }));
    return this;
  }

  private void withOffsets(java.util.function.Consumer<GroupStore.State> use,
      ActorRef<GroupRequest.OffsetsResponse> onFailure) {
    getContext().ask(GroupStore.State.class, store, Duration.ofSeconds(10), GroupStore.Get::new,
        (state, error) -> new Answer(() -> {
          if (error == null) {
            use.accept(state);
          } else if (onFailure != null) {
            onFailure.tell(failed(ErrorCode.REQUEST_TIMED_OUT, "reading the offsets failed: " + error.getMessage()));
          }
        }));
  }

  private static GroupRequest.OffsetsResponse failed(ErrorCode code, String message) {
    return new GroupRequest.OffsetsResponse(code, message, List.of());
  }
}
