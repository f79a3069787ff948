package dev.tributary.node.gateway;

import dev.tributary.node.MetadataView;
import dev.tributary.node.controller.BrokerLifecycle;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.group.GroupCoordinator;
import dev.tributary.node.group.GroupCoordinators;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.InitProducerId;
import dev.tributary.protocol.message.ListGroups;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.message.WatchMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A broker's entry point for control requests, one per node ({@code /user/gateway}; produce and
 * fetch go to the {@link DataGateway}). It answers metadata from this node's {@link MetadataView},
 * forwards admin requests to the controller, group requests to this broker's {@link
 * GroupCoordinators} (which finds the group's coordinator) and offset
 * lookups to partitions, and hands out producer ids from a block leased from the controller.
 * Unknown partitions and bad group ids are answered here, so they never reach sharding.
 */
public final class ControlGateway {

  private ControlGateway() {}

  /**
   * The control gateway's own protocol: each wire request wrapped as it arrives (see {@link
   * #create}) and the answers to its producer-id leases. All of it is local to this actor; the wire
   * requests inside the wrappers are what crossed the network.
   */
  public sealed interface Command permits InitProducerIdRequest, GetMetadataRequest, AdminRequestReceived,
      ListGroupsRequest, GroupRequestReceived, ListOffsetsRequest, WatchMetadataRequest, MetadataChanged,
      ProducerIdsLeased, ProducerIdLeaseFailed {}

  record InitProducerIdRequest(InitProducerId request) implements Command, NoSerializationVerificationNeeded {}

  record GetMetadataRequest(GetMetadata request) implements Command, NoSerializationVerificationNeeded {}

  record AdminRequestReceived(AdminRequest request) implements Command, NoSerializationVerificationNeeded {}

  record ListGroupsRequest(ListGroups request) implements Command, NoSerializationVerificationNeeded {}

  record GroupRequestReceived(GroupRequest request) implements Command, NoSerializationVerificationNeeded {}

  record ListOffsetsRequest(ListOffsets request) implements Command, NoSerializationVerificationNeeded {}

  record WatchMetadataRequest(WatchMetadata request) implements Command, NoSerializationVerificationNeeded {}

  /** This broker's metadata changed: push it to the watching clients. */
  private enum MetadataChanged implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The controller leased a block of producer ids. */
  private record ProducerIdsLeased(Controller.ProducerIdBlock block)
      implements Command, NoSerializationVerificationNeeded {}

  /** The controller did not lease producer ids; {@code reason} says why, for the producers that wait. */
  private record ProducerIdLeaseFailed(String reason) implements Command, NoSerializationVerificationNeeded {}

  /**
   * The behavior. Wire requests are wrapped into a {@link Command} at this edge (a new wire request
   * needs a line here, or it goes unhandled); everything else it receives is its own and passes
   * through untouched.
   *
   * @param controller this broker's door to the controller, for admin requests
   * @param lifecycle this broker's session with the controller, for producer-id leases
   */
  public static Behavior<GatewayRequest> create(MetadataView view, ActorRef<Controller.Command> controller,
      ActorRef<BrokerLifecycle.Command> lifecycle, ActorRef<GroupCoordinators.Command> groups) {
    return Behaviors.transformMessages(GatewayRequest.class, gateway(view, controller, lifecycle, groups), wire -> wire
        .match(InitProducerId.class, InitProducerIdRequest::new)
        .match(GetMetadata.class, GetMetadataRequest::new)
        .match(AdminRequest.class, AdminRequestReceived::new)
        .match(ListGroups.class, ListGroupsRequest::new)
        .match(GroupRequest.class, GroupRequestReceived::new)
        .match(ListOffsets.class, ListOffsetsRequest::new)
        .match(WatchMetadata.class, WatchMetadataRequest::new));
  }

  private static Behavior<Command> gateway(MetadataView view, ActorRef<Controller.Command> controller,
      ActorRef<BrokerLifecycle.Command> lifecycle, ActorRef<GroupCoordinators.Command> groups) {
    return Behaviors.setup(context -> {
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      Cluster cluster = Cluster.get(context.getSystem());
      ProducerIdPool producerIds = new ProducerIdPool();
      // Watching clients and when their lease ends (nanoTime); renewed by each WatchMetadata.
      Map<ActorRef<MetadataResponse>, Long> watchers = new HashMap<>();
      view.onChange(() -> context.getSelf().tell(MetadataChanged.INSTANCE));
      return Behaviors.receive(Command.class)
          .onMessage(InitProducerIdRequest.class, wrapped -> {
            if (producerIds.serveOrQueue(wrapped.request())) {
              context.ask(Controller.ProducerIdBlock.class, lifecycle,
                  java.time.Duration.ofSeconds(10),
                  replyTo -> new BrokerLifecycle.LeaseProducerIds(ProducerIdPool.BLOCK_SIZE, replyTo),
                  (block, error) -> error != null
                      ? new ProducerIdLeaseFailed(error.getMessage() != null ? error.getMessage() : error.toString())
                      : block.error() != ErrorCode.NONE
                          ? new ProducerIdLeaseFailed(block.error() + ": " + block.message())
                          : new ProducerIdsLeased(block));
            }
            return Behaviors.same();
          })
          .onMessage(ProducerIdsLeased.class, leased -> {
            producerIds.onBlock(leased.block());
            return Behaviors.same();
          })
          .onMessage(ProducerIdLeaseFailed.class, failed -> {
            producerIds.onLeaseFailed(failed.reason());
            return Behaviors.same();
          })
          .onMessage(WatchMetadataRequest.class, wrapped -> {
            ActorRef<MetadataResponse> subscriber = wrapped.request().subscriber();
            watchers.put(subscriber, System.nanoTime() + WatchMetadata.LEASE_MILLIS * 1_000_000);
            subscriber.tell(withBrokers(view.current(), cluster));
            return Behaviors.same();
          })
          .onMessageEquals(MetadataChanged.INSTANCE, () -> {
            long now = System.nanoTime();
            watchers.values().removeIf(leaseEnd -> leaseEnd - now < 0);
            if (!watchers.isEmpty()) {
              MetadataResponse metadata = withBrokers(view.current(), cluster);
              watchers.keySet().forEach(w -> w.tell(metadata));
            }
            return Behaviors.same();
          })
          .onMessage(GetMetadataRequest.class, wrapped -> {
            wrapped.request().replyTo().tell(withBrokers(view.current(), cluster));
            return Behaviors.same();
          })
          .onMessage(AdminRequestReceived.class, wrapped -> {
            controller.tell(new Controller.Admin(wrapped.request()));
            return Behaviors.same();
          })
          .onMessage(ListGroupsRequest.class, wrapped -> {
            ListGroups request = wrapped.request();
            listGroups(context.getSystem(), view).thenAccept(all -> request.replyTo().tell(new ListGroups.GroupList(all)));
            return Behaviors.same();
          })
          .onMessage(GroupRequestReceived.class, wrapped -> {
            GroupRequest request = wrapped.request();
            String problem = groupIdProblem(request.groupId());
            if (problem == null) {
              groups.tell(new GroupCoordinators.Request(request));
            } else {
              GroupCoordinator.refuse(request, ErrorCode.INVALID_GROUP_ID, problem);
            }
            return Behaviors.same();
          })
          .onMessage(ListOffsetsRequest.class, wrapped -> {
            ListOffsets request = wrapped.request();
            int leader = view.leaderOf(request.topic(), request.partition());
            if (view.exists(request.topic(), request.partition()) && leader != PartitionInfo.NO_LEADER) {
              // Not data: an offset lookup may go to the leader's replica on its broker through sharding.
              DataGateway.forward(sharding, request, leader);
            } else if (view.exists(request.topic(), request.partition())) {
              request.replyTo().tell(new ListOffsetsResponse(request.topic(), request.partition(),
                  ErrorCode.NOT_LEADER, "partition " + request.partition() + " of topic '" + request.topic()
                      + "' has no leader now (no live in-sync replica): retry shortly", -1, -1, -1, -1));
            } else {
              request.replyTo().tell(new ListOffsetsResponse(request.topic(), request.partition(),
                  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, DataGateway.unknown(request), -1, -1, -1, -1));
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /**
   * The cluster's groups: every registered broker is asked for those its coordinators hold (Kafka's
   * admin client lists groups broker by broker too). A broker that does not answer in time leaves
   * its groups out rather than failing the list.
   */
  private static java.util.concurrent.CompletionStage<List<String>> listGroups(
      org.apache.pekko.actor.typed.ActorSystem<?> system, MetadataView view) {
    List<java.util.concurrent.CompletableFuture<List<String>>> answers = new ArrayList<>();
    for (dev.tributary.protocol.message.BrokerInfo broker : view.current().brokerInfo()) {
      if (broker.fenced()) {
        continue;
      }
      ActorRef<GroupCoordinators.Command> manager = org.apache.pekko.actor.typed.ActorRefResolver.get(system)
          .resolveActorRef(GroupCoordinators.path(broker.address()));
      answers.add(org.apache.pekko.actor.typed.javadsl.AskPattern
          .<GroupCoordinators.Command, GroupCoordinators.LocalGroups>ask(manager, GroupCoordinators.ListLocal::new,
              java.time.Duration.ofSeconds(5), system.scheduler())
          .thenApply(GroupCoordinators.LocalGroups::groups)
          .exceptionally(error -> List.of())
          .toCompletableFuture());
    }
    return java.util.concurrent.CompletableFuture.allOf(answers.toArray(java.util.concurrent.CompletableFuture[]::new))
        .thenApply(done -> answers.stream().flatMap(a -> a.join().stream()).distinct().sorted().toList());
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

  /**
   * The metadata as this gateway answers it: partitions no broker was placed on (created before any
   * broker registered) are led by this one; before any broker registered, the live members stand
   * in for the brokers.
   */
  private static MetadataResponse withBrokers(MetadataResponse metadata, Cluster cluster) {
    String self = cluster.selfMember().address().toString();
    List<String> brokers = new ArrayList<>(metadata.brokers());
    if (metadata.brokerInfo().isEmpty()) {
      cluster.state().getMembers().forEach(m -> {
        if (m.status() == MemberStatus.up()) {
          brokers.add(m.address().toString());
        }
      });
    }
    Collections.sort(brokers);
    Map<String, TopicMetadata> topics = new HashMap<>();
    for (TopicMetadata t : metadata.topics().values()) {
      if (!t.partitionInfo().isEmpty()) {
        topics.put(t.name(), t);
        continue;
      }
      topics.put(t.name(), new TopicMetadata(t.name(), t.topicId(), t.partitions(), t.configs(),
          Collections.nCopies(t.partitions(), self), t.partitionInfo()));
    }
    return new MetadataResponse(metadata.version(), topics, brokers, metadata.clusterId(), metadata.controller(),
        metadata.controllerEpoch(), metadata.brokerInfo());
  }
}
