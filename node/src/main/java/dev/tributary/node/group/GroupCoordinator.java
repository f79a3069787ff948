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
 * A consumer group's coordinator: the sharded entity for one group id. Its front (this behavior,
 * not persistent) owns membership: joins, heartbeats, session timeouts, pushes and replies; the
 * decisions (targets, epochs, handovers, which commits are valid) are {@link GroupReconciliation}'s;
 * its {@link GroupStore} child persists committed offsets.
 */
public final class GroupCoordinator extends AbstractBehavior<GroupCoordinator.Command> {

  static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
  private static final Duration SESSION_CHECK = Duration.ofMillis(250);
  private static final Duration STORE_TIMEOUT = Duration.ofSeconds(10);
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

  /** The stored offsets at start, for the metrics. */
  private record OffsetsLoaded(GroupStore.State state) implements Command {}

  private record OffsetsStored(List<CommittedOffset> offsets, ActorRef<OffsetsResponse> replyTo)
      implements Command {}

  private record OffsetsDeleted(ActorRef<OffsetsResponse> replyTo) implements Command {}

  private record FetchAnswered(GroupRequest.FetchOffsets request, GroupStore.State state) implements Command {}

  private record DescribeAnswered(GroupRequest.Describe request, GroupStore.State state) implements Command {}

  /** The store did not answer: {@code action} says what failed ("storing the offsets"). */
  private record StoreFailed(String action, String reason, ActorRef<OffsetsResponse> replyTo) implements Command {}

  private record DescribeFailed(GroupRequest.Describe request, String reason) implements Command {}

  private record LoadFailed(String reason) implements Command {}

  private final String groupId;
  private final MetadataView metadata;
  private final ActorRef<GroupStore.Command> store;
  private final BrokerMetrics metrics;
  private final GroupReconciliation group;
  /** The members' inboxes for pushed assignments (a member without one learns from heartbeats). */
  private final Map<String, ActorRef<HeartbeatResponse>> inboxes = new HashMap<>();

  /**
   * The entity behavior. The wire protocol and the coordinator's change for different reasons, so
   * each request is wrapped into a {@link Command} at this edge (a new wire request needs a line
   * here, or it goes unhandled); everything else the actor receives (its timer, the store's
   * answers) is its own and passes through untouched.
   */
  public static Behavior<GroupRequest> create(String groupId, MetadataView metadata, BrokerMetrics metrics) {
    Behavior<Command> coordinator = Behaviors.withTimers(timers -> Behaviors.setup(
        context -> new GroupCoordinator(context, groupId, metadata, metrics, timers)));
    return Behaviors.transformMessages(GroupRequest.class, coordinator, wire -> wire
        .match(GroupRequest.Heartbeat.class, Heartbeat::new)
        .match(GroupRequest.CommitOffsets.class, CommitOffsets::new)
        .match(GroupRequest.FetchOffsets.class, FetchOffsets::new)
        .match(GroupRequest.Describe.class, Describe::new)
        .match(GroupRequest.ResetOffsets.class, ResetOffsets::new)
        .match(GroupRequest.Delete.class, Delete::new));
  }

  private GroupCoordinator(ActorContext<Command> context, String groupId, MetadataView metadata,
      BrokerMetrics metrics, TimerScheduler<Command> timers) {
    super(context);
    this.groupId = groupId;
    this.metadata = metadata;
    this.metrics = metrics;
    this.group = new GroupReconciliation(groupId);
    this.store = context.spawn(GroupStore.create(groupId), "store");
    timers.startTimerWithFixedDelay(new CheckSessions(), SESSION_CHECK);
    // The stored offsets are in /metrics (with their lag) from the start, not from the next commit.
    context.ask(GroupStore.State.class, store, STORE_TIMEOUT, GroupStore.Get::new,
        (state, error) -> error == null ? new OffsetsLoaded(state) : new LoadFailed(error.getMessage()));
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
        .onMessage(OffsetsLoaded.class, this::onOffsetsLoaded)
        .onMessage(LoadFailed.class, this::onLoadFailed)
        .onMessage(OffsetsStored.class, this::onOffsetsStored)
        .onMessage(OffsetsDeleted.class, this::onOffsetsDeleted)
        .onMessage(StoreFailed.class, this::onStoreFailed)
        .onMessage(FetchAnswered.class, this::onFetchAnswered)
        .onMessage(DescribeAnswered.class, this::onDescribeAnswered)
        .onMessage(DescribeFailed.class, this::onDescribeFailed)
        .onSignal(PostStop.class, stopped -> {
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
      hb.replyTo().tell(noAssignment());
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
    hb.replyTo().tell(answer(group.heartbeat(memberId, report, topics(), System.nanoTime())));
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
      pushChanges();
    }
    return this;
  }

  /** Pushes every changed offer to its member's inbox, so a handover completes at once. */
  private void pushChanges() {
    for (GroupReconciliation.Offer offer : group.changedOffers(inboxes.keySet())) {
      inboxes.get(offer.memberId()).tell(answer(offer));
    }
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

  /** Persists offsets (a commit or a reset); the answer comes back as {@link OffsetsStored}. */
  private void store(List<CommittedOffset> offsets, ActorRef<OffsetsResponse> replyTo) {
    getContext().ask(GroupStore.Stored.class, store, STORE_TIMEOUT,
        ref -> new GroupStore.Store(offsets, ref),
        (stored, error) -> error == null
            ? new OffsetsStored(stored.offsets(), replyTo)
            : new StoreFailed("storing the offsets", error.getMessage(), replyTo));
  }

  private Behavior<Command> onOffsetsStored(OffsetsStored stored) {
    stored.offsets().forEach(this::countCommitted);
    stored.replyTo().tell(new OffsetsResponse(ErrorCode.NONE, "", stored.offsets()));
    return this;
  }

  private Behavior<Command> onStoreFailed(StoreFailed failure) {
    failure.replyTo().tell(failed(ErrorCode.REQUEST_TIMED_OUT, failure.action() + " failed: " + failure.reason()));
    return this;
  }

  private Behavior<Command> onOffsetsLoaded(OffsetsLoaded loaded) {
    loaded.state().offsets().values().forEach(this::countCommitted);
    return this;
  }

  private Behavior<Command> onLoadFailed(LoadFailed failure) {
    getContext().getLog().warn("Group {}: reading the stored offsets for the metrics failed: {}", groupId,
        failure.reason());
    return this;
  }

  private void countCommitted(CommittedOffset o) {
    metrics.groupOffsetCommitted(groupId, o.partition().topic(), o.partition().partition(), o.offset());
  }

  private Behavior<Command> onFetchOffsets(GroupRequest.FetchOffsets fetch) {
    getContext().ask(GroupStore.State.class, store, STORE_TIMEOUT, GroupStore.Get::new,
        (state, error) -> error == null
            ? new FetchAnswered(fetch, state)
            : new StoreFailed("reading the offsets", error.getMessage(), fetch.replyTo()));
    return this;
  }

  private Behavior<Command> onFetchAnswered(FetchAnswered answered) {
    GroupStore.State state = answered.state();
    List<CommittedOffset> out = new ArrayList<>();
    if (answered.request().partitions().isEmpty()) {
      out.addAll(state.offsets().values());
    } else {
      for (TopicPartition p : answered.request().partitions()) {
        CommittedOffset o = state.get(p);
        if (o != null) {
          out.add(o);
        }
      }
    }
    answered.request().replyTo().tell(new OffsetsResponse(ErrorCode.NONE, "", out));
    return this;
  }

  private Behavior<Command> onDescribe(GroupRequest.Describe describe) {
    getContext().ask(GroupStore.State.class, store, STORE_TIMEOUT, GroupStore.Get::new,
        (state, error) -> error == null
            ? new DescribeAnswered(describe, state)
            : new DescribeFailed(describe, error.getMessage()));
    return this;
  }

  private Behavior<Command> onDescribeAnswered(DescribeAnswered answered) {
    GroupStore.State state = answered.state();
    ActorRef<GroupRequest.GroupDescription> replyTo = answered.request().replyTo();
    if (group.isEmpty() && state.offsets().isEmpty()) {
      replyTo.tell(new GroupRequest.GroupDescription(ErrorCode.GROUP_ID_NOT_FOUND,
          "group '" + groupId + "' has no members and no committed offsets", groupId, "Dead", group.generation(),
          "", List.of(), List.of()));
      return this;
    }
    replyTo.tell(new GroupRequest.GroupDescription(ErrorCode.NONE, "", groupId, group.phase(), group.generation(),
        group.isEmpty() ? "" : group.assignor(), group.describe(), List.copyOf(state.offsets().values())));
    return this;
  }

  private Behavior<Command> onDescribeFailed(DescribeFailed failure) {
    failure.request().replyTo().tell(new GroupRequest.GroupDescription(ErrorCode.REQUEST_TIMED_OUT,
        "reading the offsets failed: " + failure.reason(), groupId, group.phase(), group.generation(),
        group.isEmpty() ? "" : group.assignor(), group.describe(), List.of()));
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
    getContext().ask(GroupStore.Stored.class, store, STORE_TIMEOUT, GroupStore.Clear::new,
        (stored, error) -> error == null
            ? new OffsetsDeleted(delete.replyTo())
            : new StoreFailed("deleting the offsets", error.getMessage(), delete.replyTo()));
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
}
