package dev.tributary.node.group;

import dev.tributary.node.MetadataView;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A broker's group coordinators ({@code /user/group-coordinators}): one {@link
 * GroupPartitionLeader} for each partition of {@code __groups} this broker leads, started and
 * stopped as metadata moves leadership, so a group's coordinator always runs on the leader of its
 * partition (Kafka's group coordinator follows {@code __consumer_offsets} the same way).
 *
 * <p>Group requests come from this broker's gateway. One for a group whose partition is led
 * elsewhere is forwarded once to that broker's manager; a forwarded request is never forwarded
 * again, so two brokers whose metadata disagree answer NOT_COORDINATOR instead of passing it back
 * and forth. Before the group log exists, the first request asks the controller to create it, if
 * enough brokers have registered for its replication factor, and is answered
 * COORDINATOR_NOT_AVAILABLE meanwhile.
 */
public final class GroupCoordinators {

  public static final String NAME = "group-coordinators";
  private static final Duration CREATE_RETRY = Duration.ofSeconds(2);
  private static final Duration RESTART_PAUSE = Duration.ofSeconds(1);

  private GroupCoordinators() {}

  public interface Command {}

  /** A group request from this broker's gateway. */
  public record Request(GroupRequest request) implements Command, NoSerializationVerificationNeeded {}

  /** A group request another broker's manager forwarded here: answered here, never forwarded on. */
  public record Forwarded(GroupRequest request) implements Command, CborSerializable {}

  /** The groups whose coordinators run on this broker (a gateway lists the cluster's by asking every broker). */
  public record ListLocal(ActorRef<LocalGroups> replyTo) implements Command, CborSerializable {}

  public record LocalGroups(List<String> groups) implements CborSerializable {}

  private enum MetadataChanged implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record LeaderStopped(int partition, ActorRef<GroupPartitionLeader.Command> leader)
      implements Command, NoSerializationVerificationNeeded {}

  private record Listed(List<List<String>> perPartition, ActorRef<LocalGroups> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  private record CreateAnswered(AdminResponse response) implements Command, NoSerializationVerificationNeeded {}

  /** The path of a broker's manager, for forwarding and listing. */
  public static String path(String hostPort) {
    return "pekko://" + Tributary.SYSTEM_NAME + "@" + hostPort + "/user/" + NAME;
  }

  /** A running leader of one partition, in the leader epoch it was started for. */
  private record Running(int leaderEpoch, ActorRef<GroupPartitionLeader.Command> ref) {}

  public static Behavior<Command> create(int brokerId, MetadataView metadata, ActorRef<GatewayRequest> dataGateway,
      ActorRef<Controller.Command> controller, BrokerMetrics metrics) {
    return Behaviors.setup(context -> {
      metadata.onChange(() -> context.getSelf().tell(MetadataChanged.INSTANCE));
      context.getSelf().tell(MetadataChanged.INSTANCE);
      return new GroupCoordinators.State(context, brokerId, metadata, dataGateway, controller, metrics).behavior();
    });
  }

  private static final class State {
    private final ActorContext<Command> context;
    private final int brokerId;
    private final MetadataView metadata;
    private final ActorRef<GatewayRequest> dataGateway;
    private final ActorRef<Controller.Command> controller;
    private final BrokerMetrics metrics;
    private final int replicationFactor;
    private final int snapshotEvery;
    private final Map<Integer, Running> leaders = new HashMap<>();
    private long lastCreateAsked;

    State(ActorContext<Command> context, int brokerId, MetadataView metadata, ActorRef<GatewayRequest> dataGateway,
        ActorRef<Controller.Command> controller, BrokerMetrics metrics) {
      this.context = context;
      this.brokerId = brokerId;
      this.metadata = metadata;
      this.dataGateway = dataGateway;
      this.controller = controller;
      this.metrics = metrics;
      com.typesafe.config.Config config = context.getSystem().settings().config();
      this.replicationFactor = config.getInt("tributary.groups.replication-factor");
      this.snapshotEvery = config.getInt("tributary.groups.snapshot-every");
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Request.class, r -> {
            route(r.request(), true);
            return Behaviors.same();
          })
          .onMessage(Forwarded.class, f -> {
            route(f.request(), false);
            return Behaviors.same();
          })
          .onMessageEquals(MetadataChanged.INSTANCE, () -> {
            followLeadership();
            return Behaviors.same();
          })
          .onMessage(LeaderStopped.class, stopped -> {
            Running running = leaders.get(stopped.partition());
            if (running != null && running.ref().equals(stopped.leader())) {
              // It failed (it never stops itself): start it again, after a pause so a fault cannot spin.
              leaders.remove(stopped.partition());
              context.getLog().warn("The coordinator of {}-{} stopped; starting it again", GroupPartitions.TOPIC,
                  stopped.partition());
              context.scheduleOnce(RESTART_PAUSE, context.getSelf(), MetadataChanged.INSTANCE);
            }
            return Behaviors.same();
          })
          .onMessage(ListLocal.class, this::onListLocal)
          .onMessage(Listed.class, listed -> {
            listed.replyTo().tell(new LocalGroups(listed.perPartition().stream().flatMap(List::stream).sorted().toList()));
            return Behaviors.same();
          })
          .onMessage(CreateAnswered.class, answered -> {
            AdminResponse r = answered.response();
            if (r.error() != ErrorCode.NONE && r.error() != ErrorCode.TOPIC_ALREADY_EXISTS) {
              context.getLog().info("Creating the group log {} failed: {}: {}", GroupPartitions.TOPIC, r.error(),
                  r.errorMessage());
            }
            return Behaviors.same();
          })
          .build();
    }

    /** Starts a leader for every partition of the group log this broker leads now, and stops the rest. */
    private void followLeadership() {
      TopicMetadata topic = metadata.current().topics().get(GroupPartitions.TOPIC);
      Map<Integer, Integer> led = new HashMap<>();
      if (topic != null) {
        for (int p = 0; p < topic.partitions(); p++) {
          Optional<PartitionInfo> info = topic.partition(p);
          if (info.isPresent() && info.get().leader() == brokerId) {
            led.put(p, info.get().leaderEpoch());
          }
        }
      }
      leaders.entrySet().removeIf(e -> {
        Integer epoch = led.get(e.getKey());
        if (epoch == null || epoch != e.getValue().leaderEpoch()) {
          context.stop(e.getValue().ref());
          return true;
        }
        return false;
      });
      led.forEach((p, epoch) -> leaders.computeIfAbsent(p, partition -> {
        ActorRef<GroupPartitionLeader.Command> ref = context.spawn(GroupPartitionLeader.create(partition, epoch, brokerId,
            metadata, dataGateway, metrics, snapshotEvery), "groups-" + partition + "-epoch-" + epoch);
        context.watchWith(ref, new LeaderStopped(partition, ref));
        return new Running(epoch, ref);
      }));
    }

    private void route(GroupRequest request, boolean mayForward) {
      TopicMetadata topic = metadata.current().topics().get(GroupPartitions.TOPIC);
      if (topic == null) {
        askForGroupLog(request);
        return;
      }
      int partition = GroupPartitions.partitionFor(request.groupId(), topic.partitions());
      Running running = leaders.get(partition);
      if (running != null) {
        running.ref().tell(new GroupPartitionLeader.Request(request));
        return;
      }
      int leader = topic.partition(partition).map(PartitionInfo::leader).orElse(PartitionInfo.NO_LEADER);
      Optional<BrokerInfo> leaderBroker = metadata.current().brokerInfo().stream()
          .filter(b -> b.id() == leader && !b.fenced()).findFirst();
      if (mayForward && leader != brokerId && leaderBroker.isPresent()) {
        ActorRefResolver.get(context.getSystem()).<Command>resolveActorRef(path(leaderBroker.get().address()))
            .tell(new Forwarded(request));
      } else if (leader == PartitionInfo.NO_LEADER || leaderBroker.isEmpty()) {
        GroupCoordinator.refuse(request, ErrorCode.COORDINATOR_NOT_AVAILABLE, GroupPartitions.TOPIC + "-" + partition
            + ", which holds group '" + request.groupId() + "', has no live leader now: retry shortly");
      } else {
        GroupCoordinator.refuse(request, ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " does not coordinate group '"
            + request.groupId() + "' (" + GroupPartitions.TOPIC + "-" + partition + " is led by broker " + leader
            + "): refresh metadata and retry");
      }
    }

    /**
     * The group log does not exist yet: ask the controller to create it once enough brokers have
     * registered, and tell the member to come back.
     */
    private void askForGroupLog(GroupRequest request) {
      long live = metadata.current().brokerInfo().stream().filter(b -> !b.fenced()).count();
      if (live < replicationFactor) {
        GroupCoordinator.refuse(request, ErrorCode.COORDINATOR_NOT_AVAILABLE, "consumer groups need " + replicationFactor
            + " registered brokers (tributary.groups.replication-factor) before their log " + GroupPartitions.TOPIC
            + " is created; " + live + " registered: start more brokers, or lower the setting before the first group");
        return;
      }
      long now = System.nanoTime();
      if (lastCreateAsked == 0 || now - lastCreateAsked > CREATE_RETRY.toNanos()) {
        lastCreateAsked = now;
        ActorRef<AdminResponse> replyTo = context.messageAdapter(AdminResponse.class, CreateAnswered::new);
        // The controller creates it with the cluster's groups settings, whatever this asks for.
        controller.tell(new Controller.Admin(new AdminRequest.CreateTopic(GroupPartitions.TOPIC, 1, Map.of(), replyTo)));
      }
      GroupCoordinator.refuse(request, ErrorCode.COORDINATOR_NOT_AVAILABLE,
          "the group log " + GroupPartitions.TOPIC + " is being created: retry shortly");
    }

    private Behavior<Command> onListLocal(ListLocal list) {
      List<java.util.concurrent.CompletionStage<List<String>>> answers = new java.util.ArrayList<>();
      for (Running r : leaders.values()) {
        answers.add(org.apache.pekko.actor.typed.javadsl.AskPattern
            .<GroupPartitionLeader.Command, GroupPartitionLeader.GroupIds>ask(r.ref(), GroupPartitionLeader.ListGroups::new,
                Duration.ofSeconds(5), context.getSystem().scheduler())
            .thenApply(GroupPartitionLeader.GroupIds::groupIds)
            .exceptionally(error -> List.of()));
      }
      java.util.concurrent.CompletableFuture<?>[] all = answers.stream()
          .map(java.util.concurrent.CompletionStage::toCompletableFuture)
          .toArray(java.util.concurrent.CompletableFuture[]::new);
      context.pipeToSelf(java.util.concurrent.CompletableFuture.allOf(all), (done, error) -> new Listed(
          answers.stream().map(a -> a.toCompletableFuture().getNow(List.of())).toList(), list.replyTo()));
      return Behaviors.same();
    }
  }
}
