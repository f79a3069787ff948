package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer's membership in a group: heartbeats on a thread of its own (so a slow poll loop does
 * not lose the session), reporting what the consumer owns and keeping the latest assignment the
 * coordinator sent. Joins again when the coordinator has forgotten the member.
 */
final class GroupMembership implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);
  private static final AtomicLong INBOXES = new AtomicLong();

  private static final Object STOP_INBOX = "stop";

  private final TributaryClient client;
  private final String groupId;
  private final List<String> topics;
  private final String topicPattern;
  private final int sessionTimeoutMs;
  private final String assignor;
  private final Duration maxPollInterval;
  private final ScheduledExecutorService beats;
  /** Where the coordinator pushes changed assignments: a small actor on the client's system. */
  private final ActorRef<Object> inboxActor;
  private final ActorRef<GroupRequest.HeartbeatResponse> inbox;
  /** Told when a newer assignment arrives, so a consumer waiting in poll applies it at once. */
  private final Runnable onNewAssignment;

  /** What the consumer holds, and the member epoch of the assignment it applied to get there. */
  private record Applied(Set<TopicPartition> owned, int epoch) {}

  /** An assignment from the coordinator to a member id, with the member epoch it came with. */
  record Assignment(List<TopicPartition> partitions, String memberId, int epoch) {}

  private final AtomicReference<Applied> applied = new AtomicReference<>(new Applied(Set.of(), 0));
  private volatile Assignment assignment;
  private volatile String memberId = "";
  private volatile boolean closed;
  private volatile long lastPollNanos = System.nanoTime();
  private volatile boolean leftForSlowPoll;

  GroupMembership(TributaryClient client, String groupId, List<String> topics, String topicPattern,
      int sessionTimeoutMs, String assignor, Duration maxPollInterval, Runnable onNewAssignment) {
    this.client = client;
    this.groupId = groupId;
    this.topics = List.copyOf(topics);
    this.topicPattern = topicPattern;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.assignor = assignor;
    this.maxPollInterval = maxPollInterval;
    this.onNewAssignment = onNewAssignment;
    this.inboxActor = client.system().systemActorOf(
        Behaviors.receive(Object.class)
            .onMessage(GroupRequest.HeartbeatResponse.class, pushed -> {
              if (pushed.error() == ErrorCode.NONE && pushed.memberId().equals(memberId)) {
                offer(new Assignment(pushed.assignment(), pushed.memberId(), pushed.memberEpoch()));
              }
              return Behaviors.same();
            })
            .onMessageEquals(STOP_INBOX, Behaviors::stopped)
            .build(),
        "tributary-group-member-" + INBOXES.incrementAndGet(), Props.empty());
    this.inbox = inboxActor.narrow();
    this.beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-group-heartbeat");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * How long a first join waits for the group's coordinator. A fresh cluster creates its group log
   * at the first group request, 50 replicated partitions, which can take longer than a request
   * timeout on slow machines; Kafka's consumer waits for its coordinator too.
   */
  private static final long JOIN_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(60);

  /** Joins the group and waits for the first answer (so the caller knows the group id is valid). */
  void join() {
    long deadline = System.nanoTime() + JOIN_PATIENCE_NANOS;
    GroupRequest.HeartbeatResponse first = null;
    while (first == null) {
      try {
        first = beat().toCompletableFuture().join();
        if (first.coordinatorMoved() && System.nanoTime() - deadline < 0) {
          log.info("Group {}: waiting for its coordinator ({})", groupId, first.errorMessage());
          first = null;
        }
      } catch (java.util.concurrent.CompletionException e) {
        boolean unanswered = dev.tributary.protocol.Failures.cause(e) instanceof dev.tributary.protocol.TributaryException t
            && t.code() == ErrorCode.REQUEST_TIMED_OUT;
        if (!unanswered || System.nanoTime() - deadline >= 0) {
          throw e;
        }
        log.info("Group {}: no answer from its coordinator yet; asking again", groupId);
      }
    }
    if (first.error() != ErrorCode.NONE) {
      throw new dev.tributary.protocol.TributaryException(first.error(), first.errorMessage());
    }
    beats.schedule(this::beatLoop, first.heartbeatIntervalMs(), TimeUnit.MILLISECONDS);
  }

  /**
   * One heartbeat at a time, always on this member's heartbeat thread: each reports a snapshot of
   * what the consumer holds that is never older than the one before it, and answers are applied
   * in order.
   */
  private void beatLoop() {
    if (closed) {
      return;
    }
    long next = 500;
    try {
      if (!leaveIfPollIsLate()) {
        next = beat().toCompletableFuture().get(30, TimeUnit.SECONDS).heartbeatIntervalMs();
      }
    } catch (Exception e) {
      log.debug("Group {}: heartbeat failed: {}", groupId, e.toString());
    }
    if (!closed) {
      beats.schedule(this::beatLoop, next, TimeUnit.MILLISECONDS);
    }
  }

  private java.util.concurrent.CompletionStage<GroupRequest.HeartbeatResponse> beat() {
    // What the consumer has applied, not what it was last told: the coordinator hands a
    // partition to another member only once this member has applied an assignment without it.
    Applied now = applied.get();
    return client.<GroupRequest.HeartbeatResponse>group(replyTo -> new GroupRequest.Heartbeat(
            groupId, memberId, now.epoch(), topics, topicPattern, List.copyOf(now.owned()), false, sessionTimeoutMs,
            assignor, inbox, replyTo))
        .thenApply(response -> {
          if (response.error() == ErrorCode.UNKNOWN_MEMBER_ID) {
            log.info("Group {}: the coordinator forgot member {} (its partitions went to others); joining again",
                groupId, memberId);
            lose();
          } else if (response.error() == ErrorCode.NONE) {
            memberId = response.memberId();
            offer(new Assignment(response.assignment(), response.memberId(), response.memberEpoch()));
          }
          return response;
        });
  }

  /**
   * Keeps the newest assignment. Two heartbeats may be in flight (the loop and a refresh) and their
   * answers may be handled out of order: an older epoch must never replace a newer one, or the
   * consumer would take back partitions the coordinator has already moved.
   */
  private synchronized void offer(Assignment candidate) {
    Assignment current = assignment;
    // A new member id (after a rejoin) starts its epochs afresh.
    if (current == null || !candidate.memberId().equals(current.memberId()) || candidate.epoch() >= current.epoch()) {
      assignment = candidate;
      if (!candidate.equals(current)) {
        onNewAssignment.run();
      }
    }
  }

  /**
   * The member is out of the group (the coordinator forgot it, or it left because poll was not
   * called in time): its partitions already belong to others, so the consumer drops them all at
   * its next poll, and the member joins again with nothing.
   */
  private synchronized void lose() {
    memberId = "";
    applied.set(new Applied(Set.of(), 0));
    assignment = new Assignment(List.of(), "", 0);
    onNewAssignment.run();
  }

  /** The consumer polled: it is alive. If it had left for polling too late, it joins again now. */
  void polled() {
    lastPollNanos = System.nanoTime();
    if (leftForSlowPoll) {
      leftForSlowPoll = false;
      log.info("Group {}: poll was called again; joining again", groupId);
    }
  }

  /**
   * Kafka's {@code max.poll.interval.ms}: heartbeats run on their own thread, so a consumer stuck
   * between polls would keep its partitions forever. Past the interval the member leaves, its
   * partitions go to the others, and the next poll rejoins.
   */
  private boolean leaveIfPollIsLate() {
    if (leftForSlowPoll) {
      return true;
    }
    long sincePoll = System.nanoTime() - lastPollNanos;
    if (memberId.isEmpty() || sincePoll <= maxPollInterval.toNanos()) {
      return false;
    }
    log.warn("Group {}: poll was not called for {} ms (max poll interval {} ms): member {} leaves the group so its "
        + "partitions move; the next poll joins again", groupId, sincePoll / 1_000_000, maxPollInterval.toMillis(), memberId);
    leave();
    lose();
    leftForSlowPoll = true;
    return true;
  }

  /** Heartbeats now (on the heartbeat thread, after any beat under way) and waits for the answer. */
  void refresh() {
    try {
      beats.submit(() -> beat().toCompletableFuture().get(30, TimeUnit.SECONDS)).get(35, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.debug("Group {}: heartbeat failed: {}", groupId, e.toString());
    }
  }

  /** The latest assignment from the coordinator, or null before the first answer. */
  Assignment assignment() {
    return assignment;
  }

  /** The consumer now holds {@code partitions}, having applied the assignment of {@code epoch}. */
  void applied(Set<TopicPartition> partitions, int epoch) {
    applied.set(new Applied(Set.copyOf(partitions), epoch));
  }

  String memberId() {
    return memberId;
  }

  /** The epoch of the applied assignment: commits carry it. */
  int memberEpoch() {
    return applied.get().epoch();
  }

  String groupId() {
    return groupId;
  }

  /** Leaves the group, so its partitions go to the others at once. */
  @Override
  public void close() {
    closed = true;
    beats.shutdownNow();
    inboxActor.tell(STOP_INBOX);
    leave();
  }

  private void leave() {
    if (!memberId.isEmpty()) {
      String leaving = memberId;
      try {
        client.<GroupRequest.HeartbeatResponse>group(replyTo -> new GroupRequest.Heartbeat(
                groupId, leaving, memberEpoch(), topics, topicPattern, List.of(), true, sessionTimeoutMs, assignor,
                inbox, replyTo))
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.debug("Group {}: leaving failed ({}); the session timeout will remove the member", groupId, e.toString());
      }
    }
  }
}
