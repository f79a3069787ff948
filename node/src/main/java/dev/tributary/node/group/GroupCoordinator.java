package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import dev.tributary.node.MetadataView;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.GroupRequest.HeartbeatResponse;
import dev.tributary.protocol.message.GroupRequest.OffsetsResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.PatternSyntaxException;
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
 * A consumer group's coordinator, a child of the {@link GroupPartitionLeader} of the group's
 * partition of {@code __groups}. It owns membership: joins, heartbeats, session timeouts, pushes
 * and replies; the decisions (targets, epochs, handovers, which commits are valid) are {@link
 * GroupReconciliation}'s. Whatever must survive this broker goes through its parent into the
 * replicated group log: committed offsets (answered once replicated) and the membership (each
 * change written before the answers that reveal it are sent, so the next coordinator knows every
 * member's id and epoch and never gives away a partition a member may still hold).
 */
public final class GroupCoordinator extends AbstractBehavior<GroupCoordinator.Command> {

  static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
  private static final Duration SESSION_CHECK = Duration.ofMillis(250);
  private static final Duration STORE_TIMEOUT = GroupPartitionLeader.WRITE_TIMEOUT.plusSeconds(5);
  /** Kafka's {@code offset.metadata.max.bytes} default, counted in characters. */
  static final int MAX_METADATA_CHARS = 4096;

  /**
   * The coordinator's own protocol: each wire request wrapped as it arrives (see {@link #create}),
   * and what the coordinator tells itself. Local to the coordinator's actor, never sent between
   * nodes: the wire messages inside are.
   */
  sealed interface Command extends NoSerializationVerificationNeeded {}

  record Heartbeat(GroupRequest.Heartbeat request) implements Command {}

  record CommitOffsets(GroupRequest.CommitOffsets request) implements Command {}

  record FetchOffsets(GroupRequest.FetchOffsets request) implements Command {}

  record Describe(GroupRequest.Describe request) implements Command {}

  record ResetOffsets(GroupRequest.ResetOffsets request) implements Command {}

  record Delete(GroupRequest.Delete request) implements Command {}

  private record CheckSessions() implements Command {}

  private record OffsetsStored(List<CommittedOffset> offsets, ActorRef<OffsetsResponse> replyTo)
      implements Command {}

  private record OffsetsDeleted(ActorRef<OffsetsResponse> replyTo) implements Command {}

  private record FetchAnswered(GroupRequest.FetchOffsets request, GroupPartitionLeader.Offsets offsets)
      implements Command {}

  private record DescribeAnswered(GroupRequest.Describe request, GroupPartitionLeader.Offsets offsets)
      implements Command {}

  /** The group log did not take a write: {@code action} says which ("storing the offsets"). */
  private record StoreFailed(String action, ErrorCode error, String reason, ActorRef<OffsetsResponse> replyTo)
      implements Command {}

  private record DescribeFailed(GroupRequest.Describe request, String reason) implements Command {}

  /** The membership written to the group log (or not: {@code error} says why). */
  private record MembershipWritten(ErrorCode error, String reason) implements Command {}

  private final String groupId;
  private final MetadataView metadata;
  private final ActorRef<GroupPartitionLeader.Command> log;
  private final BrokerMetrics metrics;
  private final int brokerId;
  private final GroupReconciliation group;
  /** The membership last sent to the group log (written, or being written). */
  private GroupLogRecord.Membership requested;
  /** Membership writes not answered yet: answers wait until none is (then the log has what they say). */
  private int membershipWrites;
  /** Answers held back until the group log has the membership they reveal; each is told whether it does. */
  private final List<java.util.function.Consumer<Boolean>> heldAnswers = new ArrayList<>();
  /** A membership write failed since the held answers began to wait. */
  private boolean membershipFailed;
  /** The members' inboxes for pushed assignments (a member without one learns from heartbeats). */
  private final Map<String, ActorRef<HeartbeatResponse>> inboxes = new HashMap<>();

  /**
   * The coordinator of {@code groupId}, restored from the {@code membership} its group log holds
   * (empty for a group with no members there). The wire protocol and the coordinator's change for
   * different reasons, so each request is wrapped into a {@link Command} at this edge (a new wire
   * request needs a line here, or it goes unhandled); everything else the actor receives (its
   * timer, the log's answers) is its own and passes through untouched.
   */
  static Behavior<GroupRequest> create(String groupId, MetadataView metadata, BrokerMetrics metrics,
      ActorRef<GroupPartitionLeader.Command> log, Optional<GroupLogRecord.Membership> membership, int brokerId) {
    Behavior<Command> coordinator = Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new GroupCoordinator(context, groupId, metadata, metrics, log, membership, brokerId, timers)));
    return Behaviors.transformMessages(GroupRequest.class, coordinator, wire -> wire
        .match(GroupRequest.Heartbeat.class, Heartbeat::new)
        .match(GroupRequest.CommitOffsets.class, CommitOffsets::new)
        .match(GroupRequest.FetchOffsets.class, FetchOffsets::new)
        .match(GroupRequest.Describe.class, Describe::new)
        .match(GroupRequest.ResetOffsets.class, ResetOffsets::new)
        .match(GroupRequest.Delete.class, Delete::new));
  }

  private GroupCoordinator(ActorContext<Command> context, String groupId, MetadataView metadata,
      BrokerMetrics metrics, ActorRef<GroupPartitionLeader.Command> log,
      Optional<GroupLogRecord.Membership> membership, int brokerId, TimerScheduler<Command> timers) {
    super(context);
    this.groupId = groupId;
    this.metadata = metadata;
    this.metrics = metrics;
    this.log = log;
    this.brokerId = brokerId;
    this.group = membership.map(m -> GroupReconciliation.restored(m, System.nanoTime()))
        .orElseGet(() -> new GroupReconciliation(groupId));
    this.requested = group.membership();
    membership.ifPresent(m -> context.getLog().info("Group {}: coordinator on broker {} restored {} member(s) at "
        + "generation {}", groupId, brokerId, m.members().size(), m.generation()));
    timers.startTimerWithFixedDelay(new CheckSessions(), SESSION_CHECK);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Heartbeat.class, hb -> onHeartbeat(hb.request()))
        .onMessage(CheckSessions.class, check -> onCheckSessions())
        .onMessage(CommitOffsets.class, commit -> onCommit(commit.request()))
        .onMessage(FetchOffsets.class, fetch -> onFetchOffsets(fetch.request()))
        .onMessage(Describe.class, describe -> onDescribe(describe.request()))
        .onMessage(ResetOffsets.class, reset -> onReset(reset.request()))
        .onMessage(Delete.class, delete -> onDelete(delete.request()))
        .onMessage(MembershipWritten.class, this::onMembershipWritten)
        .onMessage(OffsetsStored.class, this::onOffsetsStored)
        .onMessage(OffsetsDeleted.class, this::onOffsetsDeleted)
        .onMessage(StoreFailed.class, this::onStoreFailed)
        .onMessage(FetchAnswered.class, this::onFetchAnswered)
        .onMessage(DescribeAnswered.class, this::onDescribeAnswered)
        .onMessage(DescribeFailed.class, this::onDescribeFailed)
        .onSignal(PostStop.class, stopped -> {
          // Deposed: members that wait hear at once that the coordinator moved, not at their timeout.
          releaseHeld(false);
          metrics.groupForgotten(groupId);
          return this;
        })
        .build();
  }

  // ---------------------------------------------------------------- membership

  private Behavior<Command> onHeartbeat(GroupRequest.Heartbeat hb) {
    String assignor = hb.assignor() == null || hb.assignor().isEmpty() ? Assignor.DEFAULT : hb.assignor();
    if (Assignor.named(assignor).isEmpty()) {
      hb.replyTo().tell(refused(ErrorCode.INVALID_REQUEST, "unknown assignor '" + assignor
          + "': use one of " + new TreeSet<>(Assignor.ALL.keySet()), hb.memberId()));
      return this;
    }
    Subscription subscription;
    try {
      subscription = Subscription.of(hb.topics(), hb.topicPattern(), group.subscription(hb.memberId()).orElse(null));
    } catch (PatternSyntaxException e) {
      hb.replyTo().tell(refused(ErrorCode.INVALID_REQUEST, "the topic pattern is not a valid regular expression: "
          + e.getDescription() + " in '" + hb.topicPattern() + "'", hb.memberId()));
      return this;
    }
    String memberId = hb.memberId();
    if (memberId.isEmpty()) {
      if (hb.leaving()) {
        hb.replyTo().tell(noAssignment());
        return this;
      }
      memberId = UUID.randomUUID().toString();
      group.join(memberId, System.nanoTime());
      getContext().getLog().info("Group {}: member {} joined", groupId, memberId);
    } else if (!group.contains(memberId)) {
      hb.replyTo().tell(refused(ErrorCode.UNKNOWN_MEMBER_ID,
          "member " + memberId + " is not in group " + groupId + " (it left or timed out): rejoin", memberId));
      return this;
    } else if (hb.leaving()) {
      group.leave(memberId, topics());
      inboxes.remove(memberId);
      getContext().getLog().info("Group {}: member {} left", groupId, memberId);
      persistMembership();
      answerOnceWritten(hb.replyTo(), noAssignment(), memberId);
      pushChanges();
      return this;
    }
    if (hb.assignments() != null) {
      inboxes.put(memberId, hb.assignments());
    } else {
      inboxes.remove(memberId);
    }
    GroupReconciliation.Report report = new GroupReconciliation.Report(hb.memberEpoch(), Set.copyOf(hb.owned()),
        subscription, assignor, hb.sessionTimeoutMs());
    GroupReconciliation.Offer offer = group.heartbeat(memberId, report, topics(), System.nanoTime());
    persistMembership();
    answerOnceWritten(hb.replyTo(), answer(offer), memberId);
    // This heartbeat may have changed targets or freed partitions others are waiting for.
    pushChanges();
    return this;
  }

  private Behavior<Command> onCheckSessions() {
    List<GroupReconciliation.Expired> expired = group.evictExpired(System.nanoTime(), topics());
    for (GroupReconciliation.Expired e : expired) {
      inboxes.remove(e.memberId());
      getContext().getLog().info("Group {}: member {} missed its {} ms session timeout and was removed",
          groupId, e.memberId(), e.sessionTimeoutMs());
    }
    if (!expired.isEmpty()) {
      persistMembership();
      pushChanges();
    }
    return this;
  }

  /** Pushes every changed offer to its member's inbox, so a handover completes at once. */
  private void pushChanges() {
    List<GroupReconciliation.Offer> offers = group.changedOffers(inboxes.keySet());
    if (offers.isEmpty()) {
      return;
    }
    persistMembership(); // an offer sent is a partition the member may hold: the next coordinator must know
    for (GroupReconciliation.Offer offer : offers) {
      ActorRef<HeartbeatResponse> inbox = inboxes.get(offer.memberId());
      onceWritten(written -> {
        if (written) {
          inbox.tell(answer(offer));
        }
      });
    }
  }

  // ---------------------------------------------------------------- the membership in the group log

  /** Writes the membership to the group log if it changed since the last write asked for. */
  private void persistMembership() {
    GroupLogRecord.Membership now = group.membership();
    if (now.equals(requested)) {
      return;
    }
    requested = now;
    membershipWrites++;
    getContext().ask(GroupPartitionLeader.Appended.class, log, STORE_TIMEOUT,
        ref -> new GroupPartitionLeader.Append(List.of(now), ref),
        (appended, error) -> error != null ? new MembershipWritten(ErrorCode.REQUEST_TIMED_OUT, error.toString())
            : new MembershipWritten(appended.error(), appended.message()));
  }

  private Behavior<Command> onMembershipWritten(MembershipWritten written) {
    membershipWrites--;
    if (written.error() != ErrorCode.NONE) {
      getContext().getLog().warn("Group {}: writing its membership to the group log failed ({}: {})", groupId,
          written.error(), written.reason());
      requested = null; // written again with the next change (or the next heartbeat)
      membershipFailed = true;
    }
    if (membershipWrites == 0) {
      releaseHeld(!membershipFailed);
      membershipFailed = false;
    }
    return this;
  }

  /** Runs {@code answer} once the group log has every membership written so far (at once if it has). */
  private void onceWritten(java.util.function.Consumer<Boolean> answer) {
    if (membershipWrites == 0) {
      answer.accept(true);
    } else {
      heldAnswers.add(answer);
    }
  }

  /** A heartbeat's answer, sent once the membership it reveals is in the group log; refused if it never is. */
  private void answerOnceWritten(ActorRef<HeartbeatResponse> replyTo, HeartbeatResponse answer, String memberId) {
    onceWritten(written -> replyTo.tell(written ? answer : refused(ErrorCode.COORDINATOR_NOT_AVAILABLE,
        "the coordinator of group " + groupId + " could not write the group's membership to its log: retry shortly",
        memberId)));
  }

  private void releaseHeld(boolean written) {
    List<java.util.function.Consumer<Boolean>> held = List.copyOf(heldAnswers);
    heldAnswers.clear();
    held.forEach(answer -> answer.accept(written));
  }

  /** Every existing topic's partition count, from this node's metadata. */
  private Map<String, Integer> topics() {
    Map<String, Integer> topics = new HashMap<>();
    for (TopicMetadata t : metadata.current().topics().values()) {
      topics.put(t.name(), t.partitions());
    }
    return topics;
  }

  private static HeartbeatResponse answer(GroupReconciliation.Offer offer) {
    return new HeartbeatResponse(ErrorCode.NONE, "", offer.memberId(), offer.epoch(), offer.partitions(),
        (int) HEARTBEAT_INTERVAL.toMillis());
  }

  /** The answer to a member that left (or never joined). */
  private static HeartbeatResponse noAssignment() {
    return new HeartbeatResponse(ErrorCode.NONE, "", "", -1, List.of(), (int) HEARTBEAT_INTERVAL.toMillis());
  }

  private static HeartbeatResponse refused(ErrorCode error, String message, String memberId) {
    return new HeartbeatResponse(error, message, memberId, -1, List.of(), (int) HEARTBEAT_INTERVAL.toMillis());
  }

  // ---------------------------------------------------------------- offsets

  private Behavior<Command> onCommit(GroupRequest.CommitOffsets commit) {
    List<TopicPartition> partitions = commit.offsets().stream().map(CommittedOffset::partition).toList();
    Optional<GroupReconciliation.Refusal> refusal = group.checkCommit(commit.memberId(), commit.memberEpoch(), partitions)
        .or(() -> invalidOffsets(commit.offsets()));
    if (refusal.isPresent()) {
      commit.replyTo().tell(failed(refusal.get().error(), refusal.get().message()));
      return this;
    }
    store(commit.offsets(), commit.replyTo());
    return this;
  }

  /** Negative offsets and oversized metadata, which no commit may carry. */
  private static Optional<GroupReconciliation.Refusal> invalidOffsets(List<CommittedOffset> offsets) {
    for (CommittedOffset o : offsets) {
      if (o.offset() < 0) {
        return Optional.of(new GroupReconciliation.Refusal(ErrorCode.INVALID_REQUEST,
            "offsets must be >= 0, got " + o.offset()));
      }
      if (o.metadata() != null && o.metadata().length() > MAX_METADATA_CHARS) {
        return Optional.of(new GroupReconciliation.Refusal(ErrorCode.OFFSET_METADATA_TOO_LARGE, "the metadata for "
            + o.partition() + " has " + o.metadata().length() + " characters; the limit is " + MAX_METADATA_CHARS));
      }
    }
    return Optional.empty();
  }

  /**
   * Appends offsets (a commit or a reset) to the group log; the answer comes back as {@link
   * OffsetsStored} once they are replicated.
   */
  private void store(List<CommittedOffset> offsets, ActorRef<OffsetsResponse> replyTo) {
    long now = System.currentTimeMillis();
    List<GroupLogRecord> records = new ArrayList<>();
    for (CommittedOffset o : offsets) {
      records.add(new GroupLogRecord.OffsetCommitted(groupId, o.partition(), o.offset(),
          o.metadata() == null ? "" : o.metadata(), now));
    }
    append(records, "storing the offsets", replyTo, () -> new OffsetsStored(offsets, replyTo));
  }

  private void append(List<GroupLogRecord> records, String action, ActorRef<OffsetsResponse> replyTo,
      java.util.function.Supplier<Command> onWritten) {
    getContext().ask(GroupPartitionLeader.Appended.class, log, STORE_TIMEOUT,
        ref -> new GroupPartitionLeader.Append(records, ref),
        (appended, error) -> error != null
            ? new StoreFailed(action, ErrorCode.REQUEST_TIMED_OUT, error.toString(), replyTo)
            : appended.ok() ? onWritten.get() : new StoreFailed(action, appended.error(), appended.message(), replyTo));
  }

  private Behavior<Command> onOffsetsStored(OffsetsStored stored) {
    stored.offsets().forEach(this::countCommitted);
    stored.replyTo().tell(new OffsetsResponse(ErrorCode.NONE, "", stored.offsets()));
    return this;
  }

  private Behavior<Command> onStoreFailed(StoreFailed failure) {
    failure.replyTo().tell(failed(failure.error(), failure.action() + " failed: " + failure.reason()));
    return this;
  }

  private void countCommitted(CommittedOffset o) {
    metrics.groupOffsetCommitted(groupId, o.partition().topic(), o.partition().partition(), o.offset());
  }

  private Behavior<Command> onFetchOffsets(GroupRequest.FetchOffsets fetch) {
    getContext().ask(GroupPartitionLeader.Offsets.class, log, STORE_TIMEOUT,
        ref -> new GroupPartitionLeader.GetOffsets(groupId, ref),
        (offsets, error) -> error == null
            ? new FetchAnswered(fetch, offsets)
            : new StoreFailed("reading the offsets", ErrorCode.REQUEST_TIMED_OUT, error.toString(), fetch.replyTo()));
    return this;
  }

  private Behavior<Command> onFetchAnswered(FetchAnswered answered) {
    Map<TopicPartition, CommittedOffset> offsets = answered.offsets().offsets();
    List<CommittedOffset> out = new ArrayList<>();
    if (answered.request().partitions().isEmpty()) {
      out.addAll(new java.util.TreeMap<>(offsets).values());
    } else {
      for (TopicPartition p : answered.request().partitions()) {
        CommittedOffset o = offsets.get(p);
        if (o != null) {
          out.add(o);
        }
      }
    }
    answered.request().replyTo().tell(new OffsetsResponse(ErrorCode.NONE, "", out));
    return this;
  }

  private Behavior<Command> onDescribe(GroupRequest.Describe describe) {
    getContext().ask(GroupPartitionLeader.Offsets.class, log, STORE_TIMEOUT,
        ref -> new GroupPartitionLeader.GetOffsets(groupId, ref),
        (offsets, error) -> error == null
            ? new DescribeAnswered(describe, offsets)
            : new DescribeFailed(describe, error.toString()));
    return this;
  }

  private Behavior<Command> onDescribeAnswered(DescribeAnswered answered) {
    List<CommittedOffset> offsets = List.copyOf(new java.util.TreeMap<>(answered.offsets().offsets()).values());
    ActorRef<GroupRequest.GroupDescription> replyTo = answered.request().replyTo();
    if (group.isEmpty() && offsets.isEmpty()) {
      replyTo.tell(new GroupRequest.GroupDescription(ErrorCode.GROUP_ID_NOT_FOUND,
          "group '" + groupId + "' has no members and no committed offsets", groupId, "Dead", group.generation(),
          "", List.of(), List.of(), brokerId));
      return this;
    }
    replyTo.tell(new GroupRequest.GroupDescription(ErrorCode.NONE, "", groupId, group.phase(), group.generation(),
        group.isEmpty() ? "" : group.assignor(), group.describe(), offsets, brokerId));
    return this;
  }

  private Behavior<Command> onDescribeFailed(DescribeFailed failure) {
    failure.request().replyTo().tell(new GroupRequest.GroupDescription(ErrorCode.REQUEST_TIMED_OUT,
        "reading the offsets failed: " + failure.reason(), groupId, group.phase(), group.generation(),
        group.isEmpty() ? "" : group.assignor(), group.describe(), List.of(), brokerId));
    return this;
  }

  private Behavior<Command> onReset(GroupRequest.ResetOffsets reset) {
    if (!group.isEmpty()) {
      reset.replyTo().tell(failed(ErrorCode.GROUP_NOT_EMPTY, "group '" + groupId + "' has " + group.size()
          + " live member(s): stop its consumers before resetting offsets"));
      return this;
    }
    store(reset.offsets(), reset.replyTo());
    return this;
  }

  private Behavior<Command> onDelete(GroupRequest.Delete delete) {
    if (!group.isEmpty()) {
      delete.replyTo().tell(failed(ErrorCode.GROUP_NOT_EMPTY, "group '" + groupId + "' has live members"));
      return this;
    }
    append(List.of(new GroupLogRecord.GroupDeleted(groupId)), "deleting the group", delete.replyTo(),
        () -> new OffsetsDeleted(delete.replyTo()));
    return this;
  }

  private Behavior<Command> onOffsetsDeleted(OffsetsDeleted deleted) {
    metrics.groupForgotten(groupId);
    deleted.replyTo().tell(new OffsetsResponse(ErrorCode.NONE, "", List.of()));
    return this;
  }

  private static OffsetsResponse failed(ErrorCode code, String message) {
    return new OffsetsResponse(code, message, List.of());
  }

  /**
   * Answers a group request with {@code error} and nothing else, in the form its sender waits for
   * (a coordinator that is not there, a bad group id).
   */
  public static void refuse(GroupRequest request, ErrorCode error, String message) {
    if (request instanceof GroupRequest.Heartbeat hb) {
      hb.replyTo().tell(new HeartbeatResponse(error, message, hb.memberId(), -1, List.of(),
          (int) HEARTBEAT_INTERVAL.toMillis()));
    } else if (request instanceof GroupRequest.CommitOffsets c) {
      c.replyTo().tell(failed(error, message));
    } else if (request instanceof GroupRequest.FetchOffsets f) {
      f.replyTo().tell(failed(error, message));
    } else if (request instanceof GroupRequest.ResetOffsets r) {
      r.replyTo().tell(failed(error, message));
    } else if (request instanceof GroupRequest.Delete d) {
      d.replyTo().tell(failed(error, message));
    } else if (request instanceof GroupRequest.Describe d) {
      d.replyTo().tell(new GroupRequest.GroupDescription(error, message, d.groupId(), "Dead", 0, "", List.of(),
          List.of(), -1));
    }
  }
}
