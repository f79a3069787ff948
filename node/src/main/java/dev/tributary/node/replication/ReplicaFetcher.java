package dev.tributary.node.replication;

import dev.tributary.node.partition.PartitionEntity;
import dev.tributary.node.partition.ReplicaCommand;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.GatewayRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Copies every partition this broker follows on one leader broker, as Kafka's {@code
 * ReplicaFetcherThread}: one fetcher per broker pair, one {@link ReplicaFetch} at a time for all
 * its partitions. Each answer is handed to the partitions' replicas here, which store it (or
 * truncate by it) and say where to fetch next; the next fetch goes once all of them have, so every
 * fetch reports each follower's log end as it is. A fetch unanswered in time is sent again; a
 * partition the leader refused, or whose fetched batches its replica kept none of, rests a moment,
 * or until its replica follows again with a newer epoch.
 *
 * <p>Its answers cross the network to it by name ({@code /user/replica-fetchers/<leader>}, a
 * large-message destination), so it takes {@link ReplicaFetchResponse} itself.
 */
public final class ReplicaFetcher extends AbstractBehavior<ReplicaFetcher.Command> {

  /** What a fetcher takes: its manager's orders, the leader's answers and its replicas' positions. */
  public interface Command {}

  /** Follow this partition from this fetcher's leader, from the replica's position. */
  record Add(ReplicaCommand.FetchPosition position, ActorRef<PartitionEntity.Command> replica)
      implements Command, NoSerializationVerificationNeeded {}

  record Remove(String partitionId) implements Command, NoSerializationVerificationNeeded {}

  /** The leader broker's data gateway moved (a new address) or is first known. */
  record LeaderGateway(ActorRef<GatewayRequest> gateway) implements Command, NoSerializationVerificationNeeded {}

  record Positioned(ReplicaCommand.FetchPosition position) implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command, NoSerializationVerificationNeeded { FETCH }

  private record FetchTimedOut(long fetchId) implements Command, NoSerializationVerificationNeeded {}

  private static final class Followed {
    ReplicaCommand.FetchPosition position;
    final ActorRef<PartitionEntity.Command> replica;
    long restUntilNanos;
    /** The answer being stored carried batches: a position that does not move past them is a refusal. */
    boolean storingRecords;

    Followed(ReplicaCommand.FetchPosition position, ActorRef<PartitionEntity.Command> replica) {
      this.position = position;
      this.replica = replica;
    }
  }

  /** How long the leader holds a fetch with nothing new. */
  static final int MAX_WAIT_MS = 500;
  static final int MAX_BYTES_PER_PARTITION = 1024 * 1024;
  /** A partition refused by the leader (or whose replica could not store) waits this long. */
  private static final Duration REST = Duration.ofMillis(200);

  private final TimerScheduler<Command> timers;
  private final int brokerId;
  private final LongSupplier brokerEpoch;
  private final Duration fetchTimeout;
  private final Map<String, Followed> followed = new HashMap<>();
  private final Set<String> storing = new HashSet<>();
  private final ActorRef<ReplicaCommand.FetchPosition> positionAdapter;
  private ActorRef<GatewayRequest> leader;
  private long fetchId;
  private boolean fetching;

  static Behavior<Command> create(int brokerId, LongSupplier brokerEpoch, Duration requestTimeout) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new ReplicaFetcher(context, timers, brokerId, brokerEpoch, requestTimeout)));
  }

  private ReplicaFetcher(ActorContext<Command> context, TimerScheduler<Command> timers, int brokerId,
      LongSupplier brokerEpoch, Duration requestTimeout) {
    super(context);
    this.timers = timers;
    this.brokerId = brokerId;
    this.brokerEpoch = brokerEpoch;
    this.fetchTimeout = requestTimeout.plusMillis(MAX_WAIT_MS);
    this.positionAdapter = context.messageAdapter(ReplicaCommand.FetchPosition.class, Positioned::new);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Add.class, add -> {
          String id = TopicNames.partitionId(add.position().topic(), add.position().partition());
          Followed before = followed.put(id, new Followed(add.position(), add.replica()));
          if (before == null || !before.replica.equals(add.replica())) {
            getContext().watch(add.replica());
          }
          storing.remove(id); // an answer in flight for the old position is ignored when it comes
          return fetchIfIdle();
        })
        .onMessage(Remove.class, remove -> {
          followed.remove(remove.partitionId());
          storing.remove(remove.partitionId());
          return fetchIfIdle();
        })
        .onMessage(LeaderGateway.class, gateway -> {
          leader = gateway.gateway();
          return fetchIfIdle();
        })
        .onMessage(ReplicaFetchResponse.class, this::onResponse)
        .onMessage(Positioned.class, this::onPositioned)
        .onMessage(FetchTimedOut.class, timedOut -> {
          if (fetching && timedOut.fetchId() == fetchId) {
            getContext().getLog().debug("replica fetch {} from {} timed out; sending again", fetchId, leader);
            fetching = false;
          }
          return fetchIfIdle();
        })
        .onMessageEquals(Tick.FETCH, this::fetchIfIdle)
        .onSignal(Terminated.class, terminated -> {
          followed.values().removeIf(f -> f.replica.equals(terminated.getRef()));
          storing.removeIf(id -> !followed.containsKey(id));
          return fetchIfIdle();
        })
        .build();
  }

  private Behavior<Command> onResponse(ReplicaFetchResponse response) {
    if (!fetching || response.fetchId() != fetchId) {
      return this; // a fetch given up on
    }
    fetching = false;
    timers.cancel(fetchId);
    long now = System.nanoTime();
    for (ReplicaFetchResponse.PartitionData data : response.partitions()) {
      String id = TopicNames.partitionId(data.topic(), data.partition());
      Followed f = followed.get(id);
      if (f == null) {
        continue;
      }
      if (data.error() == ErrorCode.NONE || belowLeaderLogStart(data, f)) {
        storing.add(id);
        f.storingRecords = data.records().length > 0 && !data.diverged();
        f.replica.tell(new ReplicaCommand.Apply(data, f.position.leaderEpoch(), f.position.fetchOffset(),
            positionAdapter));
      } else {
        // FENCED_LEADER_EPOCH, NOT_LEADER: this broker's metadata is behind or ahead of the leader's;
        // the replica follows again when it changes. Anything else: try again shortly.
        getContext().getLog().debug("replica fetch of {} from {}: {} {}", id, leader, data.error(), data.message());
        f.restUntilNanos = now + REST.toNanos();
      }
    }
    return fetchIfIdle();
  }

  /** The leader's log starts above where this follower fetches: its replica starts again there. */
  private static boolean belowLeaderLogStart(ReplicaFetchResponse.PartitionData data, Followed f) {
    return data.error() == ErrorCode.OFFSET_OUT_OF_RANGE && data.logStartOffset() > f.position.fetchOffset();
  }

  private Behavior<Command> onPositioned(Positioned positioned) {
    ReplicaCommand.FetchPosition p = positioned.position();
    String id = TopicNames.partitionId(p.topic(), p.partition());
    Followed f = followed.get(id);
    if (f != null && storing.remove(id) && f.position.leaderEpoch() == p.leaderEpoch()) {
      if (f.storingRecords && p.fetchOffset() == f.position.fetchOffset()) {
        // Batches came and the replica kept none (a corrupt copy, a failed write): fetching them
        // again at once would spin; a corrupt batch on the leader stays corrupt.
        f.restUntilNanos = System.nanoTime() + REST.toNanos();
      }
      f.position = p;
    }
    return fetchIfIdle();
  }

  /** Sends the next fetch once the last one is answered and stored, for every partition not resting. */
  private Behavior<Command> fetchIfIdle() {
    if (fetching || !storing.isEmpty() || leader == null || followed.isEmpty()) {
      return this;
    }
    long now = System.nanoTime();
    List<ReplicaFetch.PartitionFetch> partitions = new ArrayList<>();
    for (Followed f : followed.values()) {
      if (f.restUntilNanos <= now) {
        ReplicaCommand.FetchPosition p = f.position;
        partitions.add(new ReplicaFetch.PartitionFetch(p.topic(), p.partition(), p.leaderEpoch(), p.fetchOffset(),
            p.lastFetchedEpoch()));
      }
    }
    if (partitions.isEmpty()) {
      timers.startSingleTimer(Tick.FETCH, Tick.FETCH, REST);
      return this;
    }
    fetchId++;
    fetching = true;
    ActorRef<ReplicaFetchResponse> self = getContext().getSelf().narrow();
    leader.tell(new ReplicaFetch(fetchId, brokerId, brokerEpoch.getAsLong(), MAX_WAIT_MS, MAX_BYTES_PER_PARTITION,
        partitions, self));
    timers.startSingleTimer(fetchId, new FetchTimedOut(fetchId), fetchTimeout);
    return this;
  }
}
