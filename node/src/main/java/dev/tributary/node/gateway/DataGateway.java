package dev.tributary.node.gateway;

import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.partition.PartitionControl;
import dev.tributary.node.replication.LeaderFetchSession;
import dev.tributary.node.replication.ReplicaFetch;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The data gateway ({@code /user/tributary-data}, a large-message destination): produce and
 * fetch, for the partitions this broker leads. A request for a partition another broker leads,
 * or one with no leader, is answered {@code NOT_LEADER} at once, as a Kafka broker answers
 * {@code NOT_LEADER_OR_FOLLOWER}: clients send each partition's requests to its leader's broker
 * (from metadata) and refresh metadata when told otherwise, so data never crosses brokers through
 * sharding. Requests for partitions running here go to them directly, others (not started yet)
 * through this broker's own shard region, which starts them here. Each produce gets its deadline here (arrival plus its timeout, by this broker's clock;
 * the partition may check it on another broker, so clocks must agree to well within a timeout,
 * which NTP gives for timeouts of seconds). Fetches get none: serving one late changes nothing,
 * and its reply is ignored by a client that gave up. Unknown partitions are answered here, so they
 * never reach sharding.
 */
public final class DataGateway {

  private DataGateway() {}

  /**
   * The data gateway's own protocol: each wire request wrapped as it arrives (see {@link #create}),
   * and what this node's partitions tell it. All local to this node: the wire requests inside are
   * what crossed the network.
   */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  record RouteProduce(Produce request) implements Command {}

  record RouteFetch(Fetch request) implements Command {}

  record RouteReplicaFetch(ReplicaFetch request) implements Command {}

  /**
   * A partition entity started on this node. The data gateway will hand its produce and fetch
   * requests to it directly, skipping the shard region and shard hops, until it stops; but only
   * after {@link DirectRouteOpen}: requests already on their way through sharding must arrive
   * first, or an idempotent producer's batches would overtake each other.
   */
  public record LocalPartitionStarted(String replicaId, String topic, int partition, ActorRef<PartitionCommand> ref)
      implements Command {}

  /**
   * The partition's answer to {@link PartitionControl.OpenDirectRoute}, which the gateway sent
   * through sharding behind every request it forwarded that way: from now on a request sent
   * directly cannot overtake one sent through sharding.
   */
  public record DirectRouteOpen(String replicaId, ActorRef<PartitionCommand> ref) implements Command {}

  /**
   * The behavior. Wire requests are wrapped into a {@link Command} at this edge (a new wire request
   * needs a line here, or it goes unhandled); the partitions' messages pass through untouched. The
   * actor is spawned with the wire type; {@link #commands} gives this node's partitions the same
   * actor typed with this protocol.
   */
  public static Behavior<GatewayRequest> create(MetadataView view, int brokerId, TopicConfig defaults) {
    Behavior<Command> gateway = Behaviors.setup(context -> {
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      // Concurrent: the replica fetch sessions this gateway spawns read it from their own threads.
      Map<String, ActorRef<PartitionCommand>> local = new java.util.concurrent.ConcurrentHashMap<>();
      Map<ActorRef<?>, String> localIds = new HashMap<>();
      return Behaviors.receive(Command.class)
          .onMessage(LocalPartitionStarted.class, started -> {
            // Not direct yet: ask the partition through sharding, behind what went that way already.
            sharding.entityRefFor(Tributary.PARTITION_ENTITY, started.replicaId())
                .tell(new PartitionControl.OpenDirectRoute(started.topic(), started.partition()));
            return Behaviors.same();
          })
          .onMessage(DirectRouteOpen.class, open -> {
            local.put(open.replicaId(), open.ref());
            localIds.put(open.ref(), open.replicaId());
            context.watch(open.ref());
            return Behaviors.same();
          })
          .onMessage(RouteProduce.class, route -> {
            Produce request = route.request();
            String elsewhere = notLedHere(view, brokerId, request);
            String tooFew = elsewhere == null ? tooFewInSync(view, defaults, request) : null;
            if (elsewhere != null) {
              request.replyTo().tell(ProduceResponse.failed(request, ErrorCode.NOT_LEADER, elsewhere));
            } else if (tooFew != null) {
              request.replyTo().tell(ProduceResponse.failed(request, ErrorCode.NOT_ENOUGH_REPLICAS, tooFew));
            } else if (view.exists(request.topic(), request.partition())) {
              // The deadline goes with the request: sharding may hold it while the partition's
              // broker is away, and the partition drops it if it arrives later than that.
              deliver(sharding, local, request.withDeadlineFrom(System.currentTimeMillis()), view);
            } else {
              request.replyTo().tell(ProduceResponse.failed(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                  unknown(request)));
            }
            return Behaviors.same();
          })
          .onMessage(RouteFetch.class, route -> {
            Fetch request = route.request();
            String elsewhere = notLedHere(view, brokerId, request);
            if (elsewhere != null) {
              request.replyTo().tell(FetchResponse.failed(request, ErrorCode.NOT_LEADER, elsewhere, -1, -1));
            } else if (view.exists(request.topic(), request.partition())) {
              deliver(sharding, local, request, view);
            } else {
              request.replyTo().tell(FetchResponse.failed(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                  unknown(request), -1, -1));
            }
            return Behaviors.same();
          })
          .onMessage(RouteReplicaFetch.class, route -> {
            // Followers fetch from the replicas here, whatever this broker's metadata says: a
            // replica that does not lead answers NOT_LEADER itself, in its own words.
            context.spawnAnonymous(LeaderFetchSession.create(route.request(), command -> {
              String replica = PartitionShards.replicaId(
                  TopicNames.partitionId(command.topic(), command.partition()), brokerId);
              ActorRef<PartitionCommand> partition = local.get(replica);
              if (partition != null) {
                partition.tell(command);
              } else {
                sharding.entityRefFor(Tributary.PARTITION_ENTITY, replica).tell(command);
              }
            }));
            return Behaviors.same();
          })
          .onSignal(Terminated.class, terminated -> {
            String id = localIds.remove(terminated.getRef());
            if (id != null) {
              local.remove(id, terminated.getRef());
            }
            return Behaviors.same();
          })
          .build();
    });
    return Behaviors.transformMessages(GatewayRequest.class, gateway, wire -> wire
        .match(Produce.class, RouteProduce::new)
        .match(Fetch.class, RouteFetch::new)
        .match(ReplicaFetch.class, RouteReplicaFetch::new));
  }

  /**
   * The data gateway spawned from {@link #create}, typed with its own protocol. Safe: a {@link
   * Command} is not a {@link GatewayRequest}, so it passes the wire edge and reaches the behavior as
   * it is.
   */
  public static ActorRef<Command> commands(ActorRef<GatewayRequest> spawned) {
    return spawned.unsafeUpcast();
  }

  /** Hands a request this broker serves to the partition's replica here (or the unplaced one). */
  private static void deliver(ClusterSharding sharding, Map<String, ActorRef<PartitionCommand>> local,
      PartitionCommand request, MetadataView view) {
    int leader = view.leaderOf(request.topic(), request.partition()); // this broker, or UNPLACED
    String replica = PartitionShards.replicaId(TopicNames.partitionId(request.topic(), request.partition()), leader);
    ActorRef<PartitionCommand> partition = local.get(replica);
    if (partition != null) {
      partition.tell(request);
    } else {
      sharding.entityRefFor(Tributary.PARTITION_ENTITY, replica).tell(request);
    }
  }

  /** Sends a request to the partition's replica on {@code broker} through sharding. */
  static void forward(ClusterSharding sharding, PartitionCommand request, int broker) {
    sharding.entityRefFor(Tributary.PARTITION_ENTITY,
        PartitionShards.replicaId(TopicNames.partitionId(request.topic(), request.partition()), broker)).tell(request);
  }

  /**
   * Why this broker does not serve the request's partition, or null when it does: it leads it, or
   * the partition is unknown (answered as such) or from before placement (any broker hosts those).
   */
  static String notLedHere(MetadataView view, int brokerId, PartitionCommand request) {
    TopicMetadata topic = view.current().topics().get(request.topic());
    PartitionInfo info = topic == null ? null : topic.partition(request.partition()).orElse(null);
    if (info == null || info.leader() == brokerId) {
      return null;
    }
    String which = "partition " + request.partition() + " of topic '" + request.topic() + "'";
    return info.offline()
        ? which + " has no leader now (no live in-sync replica): retry shortly"
        : which + " is led by broker " + info.leader() + ", not this one (" + brokerId
            + "): refresh metadata and send it there";
  }

  /**
   * Why an {@code acks=all} produce is refused before it is written, or null: its partition has
   * fewer in-sync replicas than the topic's {@code min.insync.replicas} (Kafka checks the same at
   * the leader before appending). {@code acks=leader} is never refused for it.
   */
  static String tooFewInSync(MetadataView view, TopicConfig defaults, Produce request) {
    if (request.acks() != Acks.ALL) {
      return null;
    }
    TopicMetadata topic = view.current().topics().get(request.topic());
    PartitionInfo info = topic == null ? null : topic.partition(request.partition()).orElse(null);
    if (info == null) {
      return null;
    }
    // One map lookup on the produce path: the config was validated when it was set.
    String own = topic.configs().get(TopicConfig.MIN_INSYNC_REPLICAS);
    int needed = own == null ? defaults.minInsyncReplicas() : Integer.parseInt(own.trim());
    return info.isr().size() >= needed ? null
        : "partition " + request.partition() + " of topic '" + request.topic() + "' has " + info.isr().size()
            + " in-sync replica(s) " + info.isr() + ", fewer than min.insync.replicas=" + needed
            + ": the acks=all write was not stored";
  }

  /** The answer for a request to a partition that does not exist. */
  static String unknown(PartitionCommand request) {
    return "partition " + request.partition() + " of topic '" + request.topic()
        + "' does not exist: create the topic first, or check its partition count";
  }
}
