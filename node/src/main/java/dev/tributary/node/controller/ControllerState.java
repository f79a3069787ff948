package dev.tributary.node.controller;

import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the controller's committed log says: the cluster id, topics, the next free producer id and
 * the registered brokers. Immutable; {@link #apply} is pure and deterministic, so every voter that
 * applies the same entries holds the same state (and a snapshot is just this, written down).
 *
 * @param index the index of the last log entry applied
 */
public record ControllerState(String clusterId, Map<String, Topic> topics, long nextProducerId,
    Map<Integer, Broker> brokers, long index) {

  public static final int MAX_PARTITIONS = 10_000;
  /** The most producer ids one request may lease. */
  public static final int MAX_PRODUCER_ID_BLOCK = 100_000;

  /**
   * A topic as stored: configs as set (not the effective ones), and the broker id holding each
   * partition's log (one copy until replication; empty if no broker had registered).
   */
  public record Topic(String name, String topicId, int partitions, Map<String, String> configs,
      List<Integer> placement) {
    public Topic {
      configs = Map.copyOf(configs);
      placement = placement == null ? List.of() : List.copyOf(placement);
    }

    public TopicMetadata metadata(List<String> leaders) {
      return new TopicMetadata(name, topicId, partitions, configs, leaders, placement);
    }
  }

  /**
   * A registered broker.
   *
   * @param epoch the index of its latest registration
   * @param newDirectory whether that registration brought another data directory than the one before
   */
  public record Broker(int id, long epoch, String incarnationId, String directoryId, String address, boolean fenced,
      boolean newDirectory) {
    public BrokerInfo info() {
      return new BrokerInfo(id, address, epoch, fenced ? BrokerInfo.FENCED : BrokerInfo.REGISTERED, directoryId,
          newDirectory);
    }
  }

  /**
   * What applying an entry answered.
   *
   * @param topic the topic after a topic change (before, for a deletion)
   * @param value the first producer id of a block, or the epoch of a registration
   */
  public record Outcome(ErrorCode error, String message, TopicMetadata topic, long value, int count) {
    static Outcome ok() {
      return new Outcome(ErrorCode.NONE, "", null, 0, 0);
    }

    static Outcome ok(Topic topic) {
      return new Outcome(ErrorCode.NONE, "", topic.metadata(List.of()), 0, 0);
    }

    static Outcome failed(ErrorCode error, String message) {
      return new Outcome(error, message, null, 0, 0);
    }

    public boolean succeeded() {
      return error == ErrorCode.NONE;
    }
  }

  /** The state and the answer of one applied entry. */
  public record Applied(ControllerState state, Outcome outcome) {}

  public ControllerState {
    clusterId = clusterId == null ? "" : clusterId;
    topics = Map.copyOf(topics);
    brokers = Map.copyOf(brokers);
  }

  public static ControllerState empty() {
    return new ControllerState("", Map.of(), 1, Map.of(), 0);
  }

  /** Applies the entry at {@code entryIndex}; a refused entry changes nothing but the index. */
  public Applied apply(ControllerRecord entry, long entryIndex) {
    if (entry instanceof ControllerRecord.InitCluster init) {
      return clusterId.isEmpty()
          ? done(new ControllerState(init.clusterId(), topics, nextProducerId, brokers, entryIndex), Outcome.ok())
          : unchanged(entryIndex, Outcome.ok());
    } else if (entry instanceof ControllerRecord.CreateTopic create) {
      return create(create, entryIndex);
    } else if (entry instanceof ControllerRecord.AddPartitions add) {
      return addPartitions(add, entryIndex);
    } else if (entry instanceof ControllerRecord.DeleteTopic delete) {
      return delete(delete, entryIndex);
    } else if (entry instanceof ControllerRecord.AlterConfigs alter) {
      return alterConfigs(alter, entryIndex);
    } else if (entry instanceof ControllerRecord.AllocateProducerIds allocate) {
      return allocate(allocate, entryIndex);
    } else if (entry instanceof ControllerRecord.RegisterBroker register) {
      return register(register, entryIndex);
    } else if (entry instanceof ControllerRecord.FenceBroker fence) {
      return fence(fence, entryIndex);
    }
    throw new IllegalArgumentException("unknown controller record " + entry);
  }

  private Applied create(ControllerRecord.CreateTopic create, long entryIndex) {
    Optional<String> problem = TopicNames.problem(create.name());
    if (problem.isPresent()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_TOPIC, problem.get()));
    }
    if (create.partitions() < 1 || create.partitions() > MAX_PARTITIONS) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_PARTITIONS,
          "partitions must be between 1 and " + MAX_PARTITIONS + ", got " + create.partitions()));
    }
    Optional<String> badConfig = TopicConfig.problem(create.configs());
    if (badConfig.isPresent()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_CONFIG, badConfig.get()));
    }
    if (topics.containsKey(create.name())) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.TOPIC_ALREADY_EXISTS,
          "topic '" + create.name() + "' already exists"));
    }
    Topic topic = new Topic(create.name(), create.topicId(), create.partitions(), create.configs(),
        place(create.name(), 0, create.partitions()));
    return done(withTopic(topic, entryIndex), Outcome.ok(topic));
  }

  private Applied addPartitions(ControllerRecord.AddPartitions add, long entryIndex) {
    Topic topic = topics.get(add.name());
    if (topic == null) {
      return unchanged(entryIndex, unknownTopic(add.name()));
    }
    if (add.partitions() <= topic.partitions() || add.partitions() > MAX_PARTITIONS) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_PARTITIONS,
          "topic '" + add.name() + "' has " + topic.partitions() + " partitions; the new count must be above that and at most "
              + MAX_PARTITIONS + ", got " + add.partitions()));
    }
    List<Integer> placement = new ArrayList<>(topic.placement());
    List<Integer> added = place(add.name(), topic.partitions(), add.partitions());
    // A topic placed before any broker registered stays unplaced: any broker may host it.
    placement.addAll(placement.size() == topic.partitions() && !added.isEmpty() ? added : List.of());
    Topic grown = new Topic(topic.name(), topic.topicId(), add.partitions(), topic.configs(),
        placement.size() == add.partitions() ? placement : List.of());
    return done(withTopic(grown, entryIndex), Outcome.ok(grown));
  }

  private Applied delete(ControllerRecord.DeleteTopic delete, long entryIndex) {
    Topic topic = topics.get(delete.name());
    if (topic == null) {
      return unchanged(entryIndex, unknownTopic(delete.name()));
    }
    Map<String, Topic> next = new HashMap<>(topics);
    next.remove(delete.name());
    return done(new ControllerState(clusterId, next, nextProducerId, brokers, entryIndex), Outcome.ok(topic));
  }

  private Applied alterConfigs(ControllerRecord.AlterConfigs alter, long entryIndex) {
    Topic topic = topics.get(alter.name());
    if (topic == null) {
      return unchanged(entryIndex, unknownTopic(alter.name()));
    }
    Map<String, String> set = new HashMap<>();
    alter.changes().forEach((k, v) -> {
      if (v != null && !v.isEmpty()) {
        set.put(k, v);
      }
    });
    Optional<String> problem = TopicConfig.problem(set);
    if (problem.isEmpty()) {
      problem = alter.changes().keySet().stream().filter(k -> !TopicConfig.KEYS.contains(k)).findFirst()
          .map(k -> "unknown config '" + k + "'; known keys: " + String.join(", ", TopicConfig.KEYS.stream().sorted().toList()));
    }
    if (problem.isPresent()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_CONFIG, problem.get()));
    }
    Map<String, String> configs = new HashMap<>(topic.configs());
    alter.changes().forEach((k, v) -> {
      if (v == null || v.isEmpty()) {
        configs.remove(k);
      } else {
        configs.put(k, v.trim());
      }
    });
    Topic altered = new Topic(topic.name(), topic.topicId(), topic.partitions(), configs, topic.placement());
    return done(withTopic(altered, entryIndex), Outcome.ok(altered));
  }

  private Applied allocate(ControllerRecord.AllocateProducerIds allocate, long entryIndex) {
    Optional<Outcome> refused = refuseStale(allocate.brokerId(), allocate.brokerEpoch());
    if (refused.isPresent()) {
      return unchanged(entryIndex, refused.get());
    }
    int count = Math.max(1, Math.min(allocate.count(), MAX_PRODUCER_ID_BLOCK));
    long first = nextProducerId;
    return done(new ControllerState(clusterId, topics, first + count, brokers, entryIndex),
        new Outcome(ErrorCode.NONE, "", null, first, count));
  }

  /**
   * Why a request of this broker epoch is refused, if it is: the broker must hold a live (not
   * fenced) registration of exactly that epoch.
   */
  public Optional<Outcome> refuseStale(int brokerId, long brokerEpoch) {
    Broker broker = brokers.get(brokerId);
    if (broker == null) {
      return Optional.of(Outcome.failed(ErrorCode.BROKER_ID_NOT_REGISTERED, "broker " + brokerId + " is not registered"));
    }
    if (broker.epoch() != brokerEpoch || broker.fenced()) {
      return Optional.of(Outcome.failed(ErrorCode.STALE_BROKER_EPOCH, "broker " + brokerId + " epoch " + brokerEpoch
          + (broker.fenced() ? " is fenced" : " is not current (" + broker.epoch() + " is)") + ": register again"));
    }
    return Optional.empty();
  }

  private Applied register(ControllerRecord.RegisterBroker register, long entryIndex) {
    Broker before = brokers.get(register.brokerId());
    boolean newDirectory = before != null && !before.directoryId().equals(register.directoryId());
    Map<Integer, Broker> next = new HashMap<>(brokers);
    next.put(register.brokerId(), new Broker(register.brokerId(), entryIndex, register.incarnationId(),
        register.directoryId(), register.address(), false, newDirectory));
    return done(new ControllerState(clusterId, topics, nextProducerId, next, entryIndex),
        new Outcome(ErrorCode.NONE, "", null, entryIndex, 0));
  }

  private Applied fence(ControllerRecord.FenceBroker fence, long entryIndex) {
    Broker broker = brokers.get(fence.brokerId());
    if (broker == null || broker.epoch() != fence.brokerEpoch() || broker.fenced()) {
      return unchanged(entryIndex, Outcome.ok()); // it registered again meanwhile, or is fenced already
    }
    Map<Integer, Broker> next = new HashMap<>(brokers);
    next.put(broker.id(), new Broker(broker.id(), broker.epoch(), broker.incarnationId(), broker.directoryId(),
        broker.address(), true, broker.newDirectory()));
    return done(new ControllerState(clusterId, topics, nextProducerId, next, entryIndex), Outcome.ok());
  }

  /**
   * Which broker holds each of the partitions {@code [from, to)} of a topic: the brokers that are
   * registered and not fenced, by id, in turn from a start that depends on the topic, so topics
   * spread over the brokers. Empty (unplaced: any broker may host them) if none is.
   */
  List<Integer> place(String topic, int from, int to) {
    List<Integer> live = new ArrayList<>(new TreeMap<>(brokers).values().stream()
        .filter(b -> !b.fenced()).map(Broker::id).toList());
    if (live.isEmpty()) {
      return List.of();
    }
    List<Integer> placement = new ArrayList<>();
    for (int p = from; p < to; p++) {
      placement.add(live.get(Math.floorMod(topic.hashCode() + p, live.size())));
    }
    return placement;
  }

  private static Outcome unknownTopic(String name) {
    return Outcome.failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
  }

  private ControllerState withTopic(Topic topic, long entryIndex) {
    Map<String, Topic> next = new HashMap<>(topics);
    next.put(topic.name(), topic);
    return new ControllerState(clusterId, next, nextProducerId, brokers, entryIndex);
  }

  private static Applied done(ControllerState state, Outcome outcome) {
    return new Applied(state, outcome);
  }

  private Applied unchanged(long entryIndex, Outcome outcome) {
    return new Applied(new ControllerState(clusterId, topics, nextProducerId, brokers, entryIndex), outcome);
  }
}
