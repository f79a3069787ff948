package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Group requests as Kafka's clients send them after {@code FindCoordinator}: straight to the broker
 * that coordinates the group, the leader of its partition of {@code __groups} by the newest
 * metadata (any broker forwards a request that reaches it instead, so a bootstrap broker serves
 * until metadata names one). An answer that says the coordinator moved or is not there yet
 * ({@link GroupRequest.Response#coordinatorMoved}) is asked again, until the request timeout.
 *
 * <p>A broker killed without a word never answers, and Artery does not say so: a request is let
 * go, and asked again, as soon as metadata says its broker is fenced or the group's partition has
 * a new leader, instead of waiting out its timeout (as {@link UnansweredRequests} does for
 * produces and fetches). Thread-safe.
 */
final class GroupRequests {

  /** Where a request went, and the future its answer completes (completed early when let go). */
  private record Attempt(String broker, String leader, int groupPartition, CompletableFuture<Object> answer) {}

  /** Completes an attempt that was let go: it is asked again at once. */
  private static final class LetGo extends RuntimeException {
    LetGo(String why) {
      super(why, null, false, false);
    }
  }

  /** The broker to send to: the coordinator's gateway, or the current bootstrap broker's. */
  record Target(ActorRef<GatewayRequest> gateway, String broker, String leader, int groupPartition,
      boolean bootstrap) {}

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  /** Kafka's retry.backoff.ms is 100 ms; a coordinator that is loading is usually ready within that. */
  private static final Duration MAX_BACKOFF = Duration.ofMillis(200);

  private final ActorSystem<?> system;
  private final Duration requestTimeout;
  private final Supplier<MetadataResponse> metadata;
  private final Supplier<Target> bootstrap;
  private final java.util.function.Consumer<ActorRef<GatewayRequest>> bootstrapUnanswered;
  private final String noAnswer;
  private final ConcurrentHashMap<String, ActorRef<GatewayRequest>> gateways = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Attempt> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();

  /**
   * @param bootstrap the bootstrap broker control requests go to now
   * @param bootstrapUnanswered told when a request to a bootstrap broker went unanswered
   */
  GroupRequests(ActorSystem<?> system, Duration requestTimeout, Supplier<MetadataResponse> metadata,
      Supplier<Target> bootstrap, java.util.function.Consumer<ActorRef<GatewayRequest>> bootstrapUnanswered,
      String noAnswer) {
    this.system = system;
    this.requestTimeout = requestTimeout;
    this.metadata = metadata;
    this.bootstrap = bootstrap;
    this.bootstrapUnanswered = bootstrapUnanswered;
    this.noAnswer = noAnswer;
  }

  <R> CompletionStage<R> send(org.apache.pekko.japi.function.Function<ActorRef<R>, GroupRequest> request) {
    String groupId;
    try {
      groupId = request.apply(system.ignoreRef()).groupId();
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<R> result = new CompletableFuture<>();
    attempt(request, groupId, System.nanoTime() + requestTimeout.toNanos(), 0, result);
    return result;
  }

  private <R> void attempt(org.apache.pekko.japi.function.Function<ActorRef<R>, GroupRequest> request, String groupId,
      long deadline, int attempt, CompletableFuture<R> result) {
    Target target = target(groupId);
    long remaining = Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1));
    // Recorded before it is sent, so metadata that fences its broker meanwhile still lets it go.
    CompletableFuture<Object> answer = new CompletableFuture<>();
    long id = ids.incrementAndGet();
    inFlight.put(id, new Attempt(target.broker(), target.leader(), target.groupPartition(), answer));
    AskPattern.<GatewayRequest, R>ask(target.gateway(), request::apply, Duration.ofNanos(remaining), system.scheduler())
        .whenComplete((value, error) -> {
          if (error == null) {
            answer.complete(value);
          } else {
            answer.completeExceptionally(error);
          }
        });
    answer.whenComplete((value, error) -> {
      inFlight.remove(id);
      boolean timeLeft = System.nanoTime() < deadline;
      if (error == null) {
        if (value instanceof GroupRequest.Response r && r.coordinatorMoved() && timeLeft) {
          retryLater(request, groupId, deadline, attempt, result);
        } else {
          @SuppressWarnings("unchecked")
          R typed = (R) value;
          result.complete(typed);
        }
        return;
      }
      Throwable cause = Failures.cause(error);
      if (cause instanceof LetGo && timeLeft) {
        // A new coordinator (or none yet): its backoff starts again from the first, so the
        // retries that find it loading are not spaced by the dead one's.
        attempt(request, groupId, deadline, 0, result);
      } else if (cause instanceof TimeoutException || cause instanceof LetGo) {
        if (target.bootstrap()) {
          bootstrapUnanswered.accept(target.gateway());
        }
        result.completeExceptionally(new TributaryException(ErrorCode.REQUEST_TIMED_OUT, noAnswer));
      } else {
        result.completeExceptionally(cause);
      }
    });
  }

  private <R> void retryLater(org.apache.pekko.japi.function.Function<ActorRef<R>, GroupRequest> request,
      String groupId, long deadline, int attempt, CompletableFuture<R> result) {
    long backoff = Math.min(FIRST_BACKOFF.toMillis() << Math.min(attempt, 4), MAX_BACKOFF.toMillis());
    CompletableFuture.runAsync(() -> attempt(request, groupId, deadline, attempt + 1, result),
        CompletableFuture.delayedExecutor(backoff, TimeUnit.MILLISECONDS, system.executionContext()));
  }

  /** The group's coordinator by the newest metadata, when it names a live leader; the bootstrap broker otherwise. */
  private Target target(String groupId) {
    MetadataResponse now = metadata.get();
    TopicMetadata groups = now == null ? null : now.topics().get(GroupPartitions.TOPIC);
    if (groups != null && groups.partitions() > 0) {
      int partition = GroupPartitions.partitionFor(groupId, groups.partitions());
      String leader = UnansweredRequests.leaderAddress(now, GroupPartitions.TOPIC, partition);
      String broker = UnansweredRequests.hostPort(leader);
      if (!leader.isEmpty() && !UnansweredRequests.fencedAddresses(now).contains(broker)) {
        return new Target(gateways.computeIfAbsent(leader, address ->
            ActorRefResolver.get(system).resolveActorRef(address + "/user/" + Tributary.GATEWAY_NAME)),
            broker, leader, partition, false);
      }
    }
    return bootstrap.get();
  }

  /**
   * Lets go of every attempt sent to a broker {@code now} says is fenced, or that no longer leads
   * the group's partition: each is asked again at once.
   */
  void release(MetadataResponse now) {
    Set<String> fenced = UnansweredRequests.fencedAddresses(now);
    inFlight.forEach((id, sent) -> {
      String leader = sent.groupPartition() < 0 ? ""
          : UnansweredRequests.leaderAddress(now, GroupPartitions.TOPIC, sent.groupPartition());
      boolean moved = !sent.leader().isEmpty() && !leader.isEmpty() && !leader.equals(sent.leader());
      if ((moved || fenced.contains(sent.broker())) && inFlight.remove(id, sent)) {
        sent.answer().completeExceptionally(new LetGo(moved
            ? "the group's coordinator moved from " + sent.leader() + " to " + leader
            : "broker " + sent.broker() + " is fenced"));
      }
    });
  }
}
