package dev.tributary.node.controller;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tributary.node.BrokerIds;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.gateway.ControlGateway;
import dev.tributary.node.gateway.GatewayMessages;
import dev.tributary.node.partition.PartitionControl;
import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * The controller: a cluster singleton, event sourced on the Tributary journal, that owns the
 * topics (with a topic id per creation, partition counts and configs). Every change is pushed to
 * every broker's gateway, so metadata reaches every node, and clients through the gateways,
 * without asking the singleton per request.
 */
public final class Controller
    extends EventSourcedBehaviorWithEnforcedReplies<Controller.Command, Controller.Event, Controller.State> {

  public static final String PERSISTENCE_ID = "__controller";
  public static final int MAX_PARTITIONS = 10_000;

  // ---------------------------------------------------------------- protocol

  public interface Command {}

  /** An admin request from a gateway. */
  public record Admin(AdminRequest request) implements Command, CborSerializable {}

  /** A broker's gateway asks for a block of producer ids to hand out. */
  public record AllocateProducerIds(int count, ActorRef<ProducerIdBlock> replyTo) implements Command, CborSerializable {}

  /** Producer ids {@code [firstId, firstId + count)}, never given out again. */
  public record ProducerIdBlock(long firstId, int count) implements CborSerializable {}

  private record GatewaysChanged(Set<ActorRef<ControlGateway.Command>> gateways)
      implements Command, NoSerializationVerificationNeeded {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
      @JsonSubTypes.Type(value = TopicCreated.class, name = "created"),
      @JsonSubTypes.Type(value = PartitionsAdded.class, name = "partitions-added"),
      @JsonSubTypes.Type(value = TopicDeleted.class, name = "deleted"),
      @JsonSubTypes.Type(value = ProducerIdsAllocated.class, name = "producer-ids-allocated"),
      @JsonSubTypes.Type(value = ConfigsChanged.class, name = "configs-changed")
  })
  public interface Event extends CborSerializable {}

  /** @param placement the broker id holding each partition (null in events written before placement) */
  public record TopicCreated(String name, String topicId, int partitions, Map<String, String> configs,
      List<Integer> placement) implements Event {}

  /** @param placement the broker ids of the new partitions only (null in events written before placement) */
  public record PartitionsAdded(String name, int partitions, List<Integer> placement) implements Event {}

  public record TopicDeleted(String name) implements Event {}

  public record ProducerIdsAllocated(long firstId, int count) implements Event {}

  /** The topic's configs as set from now on (the whole map). */
  public record ConfigsChanged(String name, Map<String, String> configs) implements Event {}

  /**
   * A topic as the controller stores it (configs as set, not the effective ones), with the broker
   * id holding each partition's log (one copy until replication; empty for older topics).
   */
  public record Topic(String name, String topicId, int partitions, Map<String, String> configs, List<Integer> placement) {
    public Topic {
      placement = placement == null ? List.of() : List.copyOf(placement);
    }
  }

  /**
   * @param version bumped by every topic change (what gateways compare)
   * @param nextProducerId the first producer id not yet leased to a broker
   */
  public record State(Map<String, Topic> topics, long version, long nextProducerId) implements CborSerializable {

    static State empty() {
      return new State(Map.of(), 0, 1);
    }

    State apply(Event event) {
      if (event instanceof ProducerIdsAllocated a) {
        return new State(topics, version, a.firstId() + a.count());
      }
      Map<String, Topic> next = new HashMap<>(topics);
      if (event instanceof TopicCreated c) {
        next.put(c.name(), new Topic(c.name(), c.topicId(), c.partitions(), c.configs(), c.placement()));
      } else if (event instanceof PartitionsAdded a) {
        Topic t = next.get(a.name());
        List<Integer> placement = new ArrayList<>(t.placement());
        if (a.placement() != null && placement.size() == t.partitions()) {
          placement.addAll(a.placement());
        }
        next.put(a.name(), new Topic(t.name(), t.topicId(), a.partitions(), t.configs(),
            placement.size() == a.partitions() ? placement : List.of()));
      } else if (event instanceof TopicDeleted d) {
        next.remove(d.name());
      } else if (event instanceof ConfigsChanged c) {
        Topic t = next.get(c.name());
        next.put(c.name(), new Topic(t.name(), t.topicId(), t.partitions(), Map.copyOf(c.configs()), t.placement()));
      }
      return new State(Map.copyOf(next), version + 1, nextProducerId);
    }

    MetadataResponse snapshot() {
      Map<String, TopicMetadata> out = new HashMap<>();
      for (Topic t : topics.values()) {
        out.put(t.name(), new TopicMetadata(t.name(), t.topicId(), t.partitions(), t.configs(), List.of(), t.placement()));
      }
      return new MetadataResponse(version, out, List.of());
    }
  }

  // ---------------------------------------------------------------- behavior

  private final ActorContext<Command> context;
  private final ClusterSharding sharding;
  private final Set<ActorRef<ControlGateway.Command>> gateways = new HashSet<>();

  public static Behavior<Command> create() {
    return Behaviors.setup(Controller::new);
  }

  private Controller(ActorContext<Command> context) {
    super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
    this.context = context;
    this.sharding = ClusterSharding.get(context.getSystem());
    ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class,
        listing -> new GatewaysChanged(listing.getServiceInstances(GatewayMessages.GATEWAY_KEY)));
    context.getSystem().receptionist().tell(Receptionist.subscribe(GatewayMessages.GATEWAY_KEY, listings));
  }

  @Override
  public State emptyState() {
    return State.empty();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Admin.class, this::onAdmin)
        .onCommand(GatewaysChanged.class, this::onGatewaysChanged)
        .onCommand(AllocateProducerIds.class, this::onAllocateProducerIds)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }

  private ReplyEffect<Event, State> onAllocateProducerIds(State state, AllocateProducerIds request) {
    int count = Math.max(1, Math.min(request.count(), 100_000));
    long first = state.nextProducerId();
    return Effect().persist(new ProducerIdsAllocated(first, count))
        .thenReply(request.replyTo(), next -> new ProducerIdBlock(first, count));
  }

  private ReplyEffect<Event, State> onGatewaysChanged(State state, GatewaysChanged changed) {
    Set<ActorRef<ControlGateway.Command>> added = new HashSet<>(changed.gateways());
    added.removeAll(gateways);
    gateways.clear();
    gateways.addAll(changed.gateways());
    GatewayMessages.MetadataUpdated update = new GatewayMessages.MetadataUpdated(state.snapshot());
    added.forEach(g -> g.tell(update));
    return Effect().none().thenNoReply();
  }

  private ReplyEffect<Event, State> onAdmin(State state, Admin admin) {
    AdminRequest request = admin.request();
    if (request instanceof AdminRequest.CreateTopic create) {
      return onCreate(state, create);
    } else if (request instanceof AdminRequest.DeleteTopic delete) {
      return onDelete(state, delete);
    } else if (request instanceof AdminRequest.AddPartitions add) {
      return onAddPartitions(state, add);
    } else if (request instanceof AdminRequest.AlterConfigs alter) {
      return onAlterConfigs(state, alter);
    }
    return Effect().reply(request.replyTo(), AdminResponse.failed(ErrorCode.INVALID_REQUEST, "unknown request"));
  }

  private ReplyEffect<Event, State> onCreate(State state, AdminRequest.CreateTopic create) {
    Optional<String> problem = TopicNames.problem(create.name());
    if (problem.isPresent()) {
      return Effect().reply(create.replyTo(), AdminResponse.failed(ErrorCode.INVALID_TOPIC, problem.get()));
    }
    if (create.partitions() < 1 || create.partitions() > MAX_PARTITIONS) {
      return Effect().reply(create.replyTo(), AdminResponse.failed(ErrorCode.INVALID_PARTITIONS,
          "partitions must be between 1 and " + MAX_PARTITIONS + ", got " + create.partitions()));
    }
    Optional<String> badConfig = TopicConfig.problem(create.configs());
    if (badConfig.isPresent()) {
      return Effect().reply(create.replyTo(), AdminResponse.failed(ErrorCode.INVALID_CONFIG, badConfig.get()));
    }
    if (state.topics().containsKey(create.name())) {
      return Effect().reply(create.replyTo(), AdminResponse.failed(ErrorCode.TOPIC_ALREADY_EXISTS,
          "topic '" + create.name() + "' already exists"));
    }
    TopicCreated created = new TopicCreated(create.name(), UUID.randomUUID().toString(), create.partitions(),
        Map.copyOf(create.configs()), place(create.name(), 0, create.partitions()));
    return Effect().persist(created)
        .thenRun(this::publish)
        .thenRun(next -> wake(create.name(), 0, create.partitions()))
        .thenReply(create.replyTo(), next -> AdminResponse.ok(next.snapshot().topics().get(create.name())));
  }

  /**
   * Which broker holds each of the partitions {@code [from, to)} of a topic: the brokers that are
   * up, by id, in turn from a start that depends on the topic, so topics spread over the brokers.
   * Null (unplaced: any broker may host them) if no broker id is known.
   */
  private List<Integer> place(String topic, int from, int to) {
    List<Integer> brokers = new ArrayList<>();
    for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(context.getSystem())
        .state().getMembers()) {
      int id = BrokerIds.of(m);
      if (id >= 0 && m.status() == org.apache.pekko.cluster.MemberStatus.up()) {
        brokers.add(id);
      }
    }
    if (brokers.isEmpty()) {
      return null;
    }
    brokers.sort(Integer::compare);
    List<Integer> placement = new ArrayList<>();
    for (int p = from; p < to; p++) {
      placement.add(brokers.get(Math.floorMod(topic.hashCode() + p, brokers.size())));
    }
    return placement;
  }

  private ReplyEffect<Event, State> onAddPartitions(State state, AdminRequest.AddPartitions add) {
    Topic topic = state.topics().get(add.name());
    if (topic == null) {
      return Effect().reply(add.replyTo(), AdminResponse.failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + add.name() + "' does not exist"));
    }
    if (add.partitions() <= topic.partitions() || add.partitions() > MAX_PARTITIONS) {
      return Effect().reply(add.replyTo(), AdminResponse.failed(ErrorCode.INVALID_PARTITIONS,
          "topic '" + add.name() + "' has " + topic.partitions() + " partitions; the new count must be above that and at most "
              + MAX_PARTITIONS + ", got " + add.partitions()));
    }
    return Effect().persist(new PartitionsAdded(add.name(), add.partitions(),
            place(add.name(), topic.partitions(), add.partitions())))
        .thenRun(this::publish)
        .thenRun(next -> wake(add.name(), topic.partitions(), add.partitions()))
        .thenReply(add.replyTo(), next -> AdminResponse.ok(next.snapshot().topics().get(add.name())));
  }

  private ReplyEffect<Event, State> onAlterConfigs(State state, AdminRequest.AlterConfigs alter) {
    Topic topic = state.topics().get(alter.name());
    if (topic == null) {
      return Effect().reply(alter.replyTo(), AdminResponse.failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + alter.name() + "' does not exist"));
    }
    Map<String, String> set = new HashMap<>();
    alter.configs().forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        set.put(k, v);
      }
    });
    Optional<String> problem = TopicConfig.problem(set);
    if (problem.isEmpty()) {
      problem = alter.configs().keySet().stream().filter(k -> !TopicConfig.KEYS.contains(k)).findFirst()
          .map(k -> "unknown config '" + k + "'; known keys: " + String.join(", ", TopicConfig.KEYS.stream().sorted().toList()));
    }
    if (problem.isPresent()) {
      return Effect().reply(alter.replyTo(), AdminResponse.failed(ErrorCode.INVALID_CONFIG, problem.get()));
    }
    Map<String, String> next = new HashMap<>(topic.configs());
    alter.configs().forEach((k, v) -> {
      if (v == null || v.isEmpty()) {
        next.remove(k);
      } else {
        next.put(k, v.trim());
      }
    });
    return Effect().persist(new ConfigsChanged(alter.name(), Map.copyOf(next)))
        .thenRun(this::publish)
        .thenReply(alter.replyTo(), after -> AdminResponse.ok(after.snapshot().topics().get(alter.name())));
  }

  private ReplyEffect<Event, State> onDelete(State state, AdminRequest.DeleteTopic delete) {
    Topic topic = state.topics().get(delete.name());
    if (topic == null) {
      return Effect().reply(delete.replyTo(), AdminResponse.failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + delete.name() + "' does not exist"));
    }
    return Effect().persist(new TopicDeleted(delete.name()))
        .thenRun(this::publish)
        .thenRun(next -> deletePartitions(topic, delete.replyTo()))
        .thenNoReply();
  }

  /** Deletes every partition's data, then answers: the name can be created again, empty. */
  private void deletePartitions(Topic topic, ActorRef<AdminResponse> replyTo) {
    List<CompletableFuture<?>> deletions = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      String id = TopicNames.partitionId(topic.name(), p);
      int partition = p;
      deletions.add(sharding.entityRefFor(Tributary.PARTITION_ENTITY, id)
          .<org.apache.pekko.Done>ask(reply -> new PartitionControl.DeletePartition(topic.name(), partition, reply),
              Duration.ofSeconds(30))
          .toCompletableFuture());
    }
    TopicMetadata deleted = new TopicMetadata(topic.name(), topic.topicId(), topic.partitions(), topic.configs(), List.of(),
        topic.placement());
    CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
      if (error == null) {
        replyTo.tell(AdminResponse.ok(deleted));
      } else {
        replyTo.tell(AdminResponse.failed(ErrorCode.REQUEST_TIMED_OUT,
            "topic '" + topic.name() + "' is deleted but some partitions did not confirm removing their data: " + error));
      }
    });
  }

  private void publish(State state) {
    GatewayMessages.MetadataUpdated update = new GatewayMessages.MetadataUpdated(state.snapshot());
    gateways.forEach(g -> g.tell(update));
  }

  private void wake(String topic, int fromPartition, int toPartition) {
    for (int p = fromPartition; p < toPartition; p++) {
      sharding.entityRefFor(Tributary.PARTITION_ENTITY, TopicNames.partitionId(topic, p))
          .tell(new PartitionControl.Wake(topic, p));
    }
  }
}
