package dev.tributary.node.gateway;

import dev.tributary.node.MetadataView;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.group.GroupDirectory;
import dev.tributary.node.partition.PartitionControl;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.InitProducerId;
import dev.tributary.protocol.message.ListGroups;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A broker's entry point for clients, one per node. The control gateway ({@code /user/gateway})
 * answers metadata from this node's {@link MetadataView}, forwards admin requests to the
 * controller and offset lookups to partitions; the data gateway ({@code /user/tributary-data}, a
 * large-message destination) hands produce and fetch to partitions. Unknown partitions are
 * answered here, so they never reach sharding.
 */
public final class Gateway {

  private Gateway() {}

  /** The controller's answer to a producer-id lease (local to the gateway). */
  private record ProducerIdsLeased(Controller.ProducerIdBlock block, Throwable error)
      implements GatewayRequest, org.apache.pekko.actor.NoSerializationVerificationNeeded {}

  /** The control gateway: registers with the receptionist to receive metadata pushes. */
  public static Behavior<GatewayRequest> control(MetadataView view, ActorRef<Controller.Command> controller,
      GroupDirectory groups) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(GatewayMessages.GATEWAY_KEY, context.getSelf()));
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      Cluster cluster = Cluster.get(context.getSystem());
      ProducerIdPool producerIds = new ProducerIdPool();
      return Behaviors.receive(GatewayRequest.class)
          .onMessage(InitProducerId.class, request -> {
            if (producerIds.serveOrQueue(request)) {
              context.ask(Controller.ProducerIdBlock.class, controller,
                  java.time.Duration.ofSeconds(10),
                  replyTo -> new Controller.AllocateProducerIds(ProducerIdPool.BLOCK_SIZE, replyTo),
                  (block, error) -> new ProducerIdsLeased(block, error));
            }
            return Behaviors.same();
          })
          .onMessage(ProducerIdsLeased.class, leased -> {
            if (leased.block() != null) {
              producerIds.onBlock(leased.block());
            } else {
              producerIds.onLeaseFailed(leased.error());
            }
            return Behaviors.same();
          })
          .onMessage(GatewayMessages.MetadataUpdated.class, update -> {
            view.update(update.snapshot());
            return Behaviors.same();
          })
          .onMessage(GetMetadata.class, request -> {
            request.replyTo().tell(withBrokers(view.current(), cluster));
            return Behaviors.same();
          })
          .onMessage(AdminRequest.class, request -> {
            controller.tell(new Controller.Admin(request));
            return Behaviors.same();
          })
          .onMessage(ListGroups.class, request -> {
            listLiveGroups(context.getSystem(), sharding, groups).thenAccept(live -> request.replyTo().tell(new ListGroups.GroupList(live)));
            return Behaviors.same();
          })
          .onMessage(GroupRequest.class, request -> {
            String problem = groupIdProblem(request.groupId());
            if (problem == null) {
              sharding.entityRefFor(Tributary.GROUP_ENTITY, request.groupId()).tell(request);
            } else {
              refuseGroupRequest(request, problem);
            }
            return Behaviors.same();
          })
          .onMessage(ListOffsets.class, request -> {
            if (view.exists(request.topic(), request.partition())) {
              forward(sharding, request);
            } else {
              request.replyTo().tell(new ListOffsetsResponse(request.topic(), request.partition(),
                  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknown(request), -1, -1, -1, -1));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /**
   * The data gateway: produce and fetch. Requests for partitions running on this node go to them
   * directly; others through sharding. Each produce gets its deadline here (arrival plus its
   * timeout, by this broker's clock; the partition may check it on another broker, so clocks must
   * agree to well within a timeout, which NTP gives for timeouts of seconds). Fetches get none:
   * serving one late changes nothing, and its reply is ignored by a client that gave up.
   */
  public static Behavior<GatewayRequest> data(MetadataView view) {
    return Behaviors.setup(context -> {
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      Map<String, ActorRef<PartitionCommand>> local = new HashMap<>();
      Map<ActorRef<?>, String> localIds = new HashMap<>();
      return Behaviors.receive(GatewayRequest.class)
          .onMessage(GatewayMessages.LocalPartitionStarted.class, started -> {
            // Not direct yet: ask the partition through sharding, behind what went that way already.
            sharding.entityRefFor(Tributary.PARTITION_ENTITY, TopicNames.partitionId(started.topic(), started.partition()))
                .tell(new PartitionControl.OpenDirectRoute(started.topic(), started.partition()));
            return Behaviors.same();
          })
          .onMessage(GatewayMessages.DirectRouteOpen.class, open -> {
            local.put(open.partitionId(), open.ref());
            localIds.put(open.ref(), open.partitionId());
            context.watch(open.ref());
            return Behaviors.same();
          })
          .onMessage(Produce.class, request -> {
            if (view.exists(request.topic(), request.partition())) {
              // The deadline goes with the request: sharding may hold it while the partition's
              // broker is away, and the partition drops it if it arrives later than that.
              deliver(sharding, local, request.withDeadlineFrom(System.currentTimeMillis()));
            } else {
              request.replyTo().tell(ProduceResponse.failed(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknown(request)));
            }
            return Behaviors.same();
          })
          .onMessage(Fetch.class, request -> {
            if (view.exists(request.topic(), request.partition())) {
              deliver(sharding, local, request);
            } else {
              request.replyTo().tell(FetchResponse.failed(request, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                  unknown(request), -1, -1));
            }
            return Behaviors.same();
          })
          .onSignal(org.apache.pekko.actor.typed.Terminated.class, terminated -> {
            String id = localIds.remove(terminated.getRef());
            if (id != null) {
              local.remove(id, terminated.getRef());
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  private static void deliver(
      ClusterSharding sharding, Map<String, ActorRef<PartitionCommand>> local, PartitionCommand request) {
    ActorRef<PartitionCommand> partition = local.get(TopicNames.partitionId(request.topic(), request.partition()));
    if (partition != null) {
      partition.tell(request);
    } else {
      forward(sharding, request);
    }
  }

  /**
   * The groups that exist: those with offsets stored on this broker and those whose coordinator
   * runs here (members but no commit yet). A deleted group keeps its (cleared) log, so each
   * candidate's coordinator is asked, and those that answer GROUP_ID_NOT_FOUND are left out.
   */
  private static java.util.concurrent.CompletionStage<List<String>> listLiveGroups(
      org.apache.pekko.actor.typed.ActorSystem<?> system, ClusterSharding sharding, GroupDirectory groups) {
    java.util.concurrent.CompletionStage<ShardRegion.CurrentShardRegionState> running =
        org.apache.pekko.actor.typed.javadsl.AskPattern.ask(sharding.shardState(),
            replyTo -> new GetShardRegionState(Tributary.GROUP_ENTITY, replyTo), java.time.Duration.ofSeconds(5),
            system.scheduler());
    return running.exceptionally(error -> null).thenCompose(state -> {
      java.util.Set<String> candidates = new java.util.TreeSet<>(groups.groups());
      if (state != null) {
        state.getShards().forEach(shard -> candidates.addAll(shard.getEntityIds()));
      }
      List<java.util.concurrent.CompletableFuture<String>> answers = new java.util.ArrayList<>();
      for (String id : candidates) {
        answers.add(sharding.entityRefFor(Tributary.GROUP_ENTITY, id)
            .<GroupRequest.GroupDescription>ask(replyTo -> new GroupRequest.Describe(id, replyTo),
                java.time.Duration.ofSeconds(10))
            .handle((d, error) -> error != null || d.error() != ErrorCode.GROUP_ID_NOT_FOUND ? id : null)
            .toCompletableFuture());
      }
      return java.util.concurrent.CompletableFuture.allOf(answers.toArray(java.util.concurrent.CompletableFuture[]::new))
          .thenApply(done -> answers.stream().map(java.util.concurrent.CompletableFuture::join)
              .filter(java.util.Objects::nonNull).sorted().toList());
    });
  }

  private static String groupIdProblem(String groupId) {
    if (groupId == null || groupId.isBlank()) {
      return "the group id is empty";
    }
    if (groupId.length() > 249) {
      return "the group id has " + groupId.length() + " characters; the limit is 249";
    }
    if (groupId.chars().anyMatch(Character::isISOControl)) {
      return "the group id contains control characters";
    }
    return null;
  }

  private static void refuseGroupRequest(GroupRequest request, String problem) {
    ErrorCode code = ErrorCode.INVALID_GROUP_ID;
    if (request instanceof GroupRequest.Heartbeat hb) {
      hb.replyTo().tell(new GroupRequest.HeartbeatResponse(code, problem, hb.memberId(), -1, List.of(), 1000));
    } else if (request instanceof GroupRequest.CommitOffsets c) {
      c.replyTo().tell(new GroupRequest.OffsetsResponse(code, problem, List.of()));
    } else if (request instanceof GroupRequest.FetchOffsets f) {
      f.replyTo().tell(new GroupRequest.OffsetsResponse(code, problem, List.of()));
    } else if (request instanceof GroupRequest.ResetOffsets r) {
      r.replyTo().tell(new GroupRequest.OffsetsResponse(code, problem, List.of()));
    } else if (request instanceof GroupRequest.Delete d) {
      d.replyTo().tell(new GroupRequest.OffsetsResponse(code, problem, List.of()));
    } else if (request instanceof GroupRequest.Describe d) {
      d.replyTo().tell(new GroupRequest.GroupDescription(code, problem, d.groupId(), "Dead", 0, "", List.of(), List.of()));
    }
  }

  private static void forward(ClusterSharding sharding, PartitionCommand request) {
    sharding.entityRefFor(Tributary.PARTITION_ENTITY, TopicNames.partitionId(request.topic(), request.partition()))
        .tell(request);
  }

  private static String unknown(PartitionCommand request) {
    return "partition " + request.partition() + " of topic '" + request.topic()
        + "' does not exist: create the topic first, or check its partition count";
  }

  /**
   * The metadata with the live brokers and each partition's leader. One broker leads everything
   * until replication places partitions: the oldest up member's address stands in.
   */
  private static MetadataResponse withBrokers(MetadataResponse metadata, Cluster cluster) {
    List<String> brokers = new ArrayList<>();
    Map<Integer, String> addressById = new HashMap<>();
    cluster.state().getMembers().forEach(m -> {
      if (m.status() == MemberStatus.up()) {
        brokers.add(m.address().toString());
        addressById.put(dev.tributary.node.BrokerIds.of(m), m.address().toString());
      }
    });
    Collections.sort(brokers);
    String self = cluster.selfMember().address().toString();
    Map<String, TopicMetadata> topics = new HashMap<>();
    for (TopicMetadata t : metadata.topics().values()) {
      // The broker holding each partition leads it; unplaced partitions (older topics) name this one.
      List<String> leaders = new ArrayList<>(t.partitions());
      for (int p = 0; p < t.partitions(); p++) {
        leaders.add(p < t.placement().size() ? addressById.getOrDefault(t.placement().get(p), "") : self);
      }
      topics.put(t.name(), new TopicMetadata(t.name(), t.topicId(), t.partitions(), t.configs(), leaders,
          t.placement()));
    }
    return new MetadataResponse(metadata.version(), topics, brokers);
  }
}
