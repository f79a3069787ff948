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
   * A topic as stored: configs as set (not the effective ones), and each partition's replicas,
   * ISR, leader and epochs, by partition number.
   */
  public record Topic(String name, String topicId, int partitions, Map<String, String> configs,
      List<PartitionState> assignment) {
    public Topic {
      configs = Map.copyOf(configs);
      assignment = assignment == null ? List.of() : List.copyOf(assignment);
    }

    public TopicMetadata metadata(List<String> leaders) {
      return new TopicMetadata(name, topicId, partitions, configs, leaders,
          assignment.stream().map(PartitionState::info).toList());
    }

    public int replicationFactor() {
      return assignment.isEmpty() ? 1 : assignment.get(0).replicas().size();
    }

    boolean uncleanLeaderElection() {
      return TopicConfig.uncleanLeaderElection(configs);
    }

    Topic withAssignment(List<PartitionState> next) {
      return new Topic(name, topicId, next.size(), configs, next);
    }
  }

  /**
   * A registered broker.
   *
   * @param epoch the index of its latest registration
   * @param newDirectory whether that registration brought another data directory than the one before
   * @param kafkaAddress the advertised {@code host:port} of its Kafka listener, as of that registration
   */
  public record Broker(int id, long epoch, String incarnationId, String directoryId, String address, boolean fenced,
      boolean newDirectory, String kafkaAddress) {
    public Broker {
      // Snapshots written before Kafka listeners decode without the field: those brokers had none.
      kafkaAddress = kafkaAddress == null ? "" : kafkaAddress;
    }

    public BrokerInfo info() {
      return new BrokerInfo(id, address, epoch, fenced ? BrokerInfo.FENCED : BrokerInfo.REGISTERED, directoryId,
          newDirectory, kafkaAddress);
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
    } else if (entry instanceof ControllerRecord.AlterPartition alter) {
      return alterPartition(alter, entryIndex);
    } else if (entry instanceof ControllerRecord.ElectPreferredLeaders) {
      return electPreferredLeaders(entryIndex);
    }
    throw new IllegalArgumentException("unknown controller record " + entry);
  }

  private Applied create(ControllerRecord.CreateTopic create, long entryIndex) {
    // The group log is the one internal topic; only the controller's own entry names it (AdminEntries).
    Optional<String> problem = create.name().equals(dev.tributary.protocol.GroupPartitions.TOPIC)
        ? Optional.empty() : TopicNames.problem(create.name());
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
    int replicationFactor = Math.max(1, create.replicationFactor());
    List<Integer> live = liveBrokers();
    if (replicationFactor > live.size()) {
      return unchanged(entryIndex, tooFewBrokers(replicationFactor, live));
    }
    Topic existing = topics.get(create.name());
    if (existing != null && existing.topicId().equals(create.topicId())) {
      // The same request again, sent to a new controller after the old one committed it and died.
      return unchanged(entryIndex, Outcome.ok(existing));
    }
    if (existing != null) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.TOPIC_ALREADY_EXISTS,
          "topic '" + create.name() + "' already exists"));
    }
    Topic topic = new Topic(create.name(), create.topicId(), create.partitions(), create.configs(),
        assign(create.name(), 0, create.partitions(), replicationFactor, live));
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
    List<Integer> live = liveBrokers();
    if (topic.replicationFactor() > live.size()) {
      return unchanged(entryIndex, tooFewBrokers(topic.replicationFactor(), live));
    }
    List<PartitionState> assignment = new ArrayList<>(topic.assignment());
    assignment.addAll(assign(add.name(), topic.partitions(), add.partitions(), topic.replicationFactor(), live));
    Topic grown = topic.withAssignment(assignment);
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
    Topic altered = new Topic(topic.name(), topic.topicId(), topic.partitions(), configs, topic.assignment());
    if (altered.uncleanLeaderElection()) {
      // Allowed from now on: offline partitions with a live replica are led again at once, as in Kafka.
      altered = altered.withAssignment(altered.assignment().stream()
          .map(p -> p.electIfOffline(this::live, true)).toList());
    }
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

  /**
   * A broker starting, or back after it was fenced. A broker registering again while its previous
   * incarnation was still live (a restart within the session timeout) is first fenced as that
   * incarnation, so it leaves every ISR it is not the last member of, and leads nothing it has not
   * been elected to again: a broker back from a restart catches up before it rejoins an ISR.
   */
  private Applied register(ControllerRecord.RegisterBroker register, long entryIndex) {
    int id = register.brokerId();
    Broker before = brokers.get(id);
    ControllerState from = this;
    if (before != null && !before.fenced()) {
      from = fenced(before, entryIndex);
    }
    boolean newDirectory = before != null && !before.directoryId().equals(register.directoryId());
    Map<Integer, Broker> next = new HashMap<>(from.brokers);
    next.put(id, new Broker(id, entryIndex, register.incarnationId(), register.directoryId(), register.address(), false,
        newDirectory, register.kafkaAddress()));
    ControllerState registered = new ControllerState(clusterId, from.topics, nextProducerId, next, entryIndex);
    ControllerState elected = registered.withPartitions(
        (topic, p) -> p.afterRegistration(id, newDirectory, registered::live, topic.uncleanLeaderElection()));
    return done(elected, new Outcome(ErrorCode.NONE, "", null, entryIndex, 0));
  }

  private Applied fence(ControllerRecord.FenceBroker fence, long entryIndex) {
    Broker broker = brokers.get(fence.brokerId());
    if (broker == null || broker.epoch() != fence.brokerEpoch() || broker.fenced()) {
      return unchanged(entryIndex, Outcome.ok()); // it registered again meanwhile, or is fenced already
    }
    return done(fenced(broker, entryIndex), Outcome.ok());
  }

  /**
   * The broker fenced, and in the same decision out of every ISR and replaced as every leader it
   * was (Kafka does both at once too, or {@code acks=all} would stall until the ISR shrank).
   */
  private ControllerState fenced(Broker broker, long entryIndex) {
    Map<Integer, Broker> next = new HashMap<>(brokers);
    next.put(broker.id(), new Broker(broker.id(), broker.epoch(), broker.incarnationId(), broker.directoryId(),
        broker.address(), true, broker.newDirectory(), broker.kafkaAddress()));
    ControllerState withFenced = new ControllerState(clusterId, topics, nextProducerId, next, entryIndex);
    return withFenced.withPartitions(
        (topic, p) -> p.withoutBroker(broker.id(), withFenced::live, topic.uncleanLeaderElection()));
  }

  private Applied alterPartition(ControllerRecord.AlterPartition alter, long entryIndex) {
    Topic topic = topics.get(alter.topic());
    if (topic == null || alter.partition() < 0 || alter.partition() >= topic.assignment().size()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "partition " + alter.partition() + " of topic '" + alter.topic() + "' does not exist"));
    }
    PartitionState current = topic.assignment().get(alter.partition());
    String which = "partition " + alter.partition() + " of '" + alter.topic() + "'";
    if (current.leader() != alter.leader() || current.leaderEpoch() != alter.leaderEpoch()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.FENCED_LEADER_EPOCH, "broker " + alter.leader()
          + " in leader epoch " + alter.leaderEpoch() + " does not lead " + which + ": broker " + current.leader()
          + " does, in epoch " + current.leaderEpoch()));
    }
    if (current.partitionEpoch() != alter.partitionEpoch()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INVALID_UPDATE_VERSION, which + " is at partition epoch "
          + current.partitionEpoch() + ", not " + alter.partitionEpoch() + ": refresh and ask again"));
    }
    List<Integer> isr = alter.isr() == null ? List.of() : alter.isr();
    Optional<String> ineligible = isr.contains(alter.leader()) ? Optional.empty()
        : Optional.of("the ISR must hold its leader " + alter.leader());
    if (ineligible.isEmpty() && isr.stream().distinct().count() != isr.size()) {
      ineligible = Optional.of("the ISR " + isr + " names a broker twice");
    }
    for (int member : isr) {
      if (ineligible.isEmpty() && !current.replicas().contains(member)) {
        ineligible = Optional.of("broker " + member + " is not a replica of " + which + " " + current.replicas());
      } else if (ineligible.isEmpty() && !live(member)) {
        ineligible = Optional.of("broker " + member + " is fenced or not registered");
      }
    }
    if (ineligible.isPresent()) {
      return unchanged(entryIndex, Outcome.failed(ErrorCode.INELIGIBLE_REPLICA, ineligible.get()));
    }
    PartitionState altered = current.withIsr(isr);
    List<PartitionState> assignment = new ArrayList<>(topic.assignment());
    assignment.set(alter.partition(), altered);
    return done(withTopic(topic.withAssignment(assignment), entryIndex),
        new Outcome(ErrorCode.NONE, "", null, altered.partitionEpoch(), 0));
  }

  /** Answers with the number of partitions whose leadership moved back ({@link Outcome#count()}). */
  private Applied electPreferredLeaders(long entryIndex) {
    int[] moved = {0};
    ControllerState next = withPartitions((topic, p) -> {
      PartitionState elected = p.preferredLeaderElected(this::live);
      if (elected != p) {
        moved[0]++;
      }
      return elected;
    });
    return done(new ControllerState(clusterId, next.topics, nextProducerId, brokers, entryIndex),
        new Outcome(ErrorCode.NONE, "", null, 0, moved[0]));
  }

  /** Partitions whose preferred replica is live and in sync but does not lead. */
  public long preferredLeaderImbalance() {
    return topics.values().stream().flatMap(t -> t.assignment().stream())
        .filter(p -> p.preferredLeaderElected(this::live) != p).count();
  }

  /** Whether the broker is registered and not fenced. */
  public boolean live(int brokerId) {
    Broker broker = brokers.get(brokerId);
    return broker != null && !broker.fenced();
  }

  /** Registered, unfenced brokers by id. */
  private List<Integer> liveBrokers() {
    return new TreeMap<>(brokers).values().stream().filter(b -> !b.fenced()).map(Broker::id).toList();
  }

  private static Outcome tooFewBrokers(int replicationFactor, List<Integer> live) {
    return Outcome.failed(ErrorCode.INVALID_REPLICATION_FACTOR, "replication factor " + replicationFactor
        + " is larger than the " + live.size() + " live broker(s) " + live
        + " (registered, not fenced): start more brokers or use a smaller factor");
  }

  /** Every partition of every topic through {@code change}; topics with no partition changed are kept as they are. */
  private ControllerState withPartitions(java.util.function.BiFunction<Topic, PartitionState, PartitionState> change) {
    Map<String, Topic> next = new HashMap<>(topics);
    for (Topic topic : topics.values()) {
      List<PartitionState> changed = topic.assignment().stream().map(p -> change.apply(topic, p)).toList();
      if (!changed.equals(topic.assignment())) {
        next.put(topic.name(), topic.withAssignment(changed));
      }
    }
    return new ControllerState(clusterId, next, nextProducerId, brokers, index);
  }

  /**
   * The replicas of the partitions {@code [from, to)} of a topic over the live brokers, as Kafka
   * assigns without racks: partition p's first replica (its preferred leader) is broker
   * {@code (start + p) mod n} in id order, so leaders go round the brokers; the others follow it
   * at a shift that changes every n partitions, so a broker's followers spread over the others.
   * The start and shift come from the topic's name, so topics do not all begin on broker 0, and
   * every voter computes the same.
   */
  static List<PartitionState> assign(String topic, int from, int to, int replicationFactor, List<Integer> live) {
    int n = live.size();
    int start = Math.floorMod(topic.hashCode(), n);
    int shiftStart = n > 1 ? Math.floorMod(topic.hashCode() >>> 16, n - 1) : 0;
    List<PartitionState> assignment = new ArrayList<>();
    for (int p = from; p < to; p++) {
      int first = (start + p) % n;
      int shift = n > 1 ? (shiftStart + p / n) % (n - 1) : 0;
      List<Integer> replicas = new ArrayList<>();
      replicas.add(live.get(first));
      for (int j = 0; j < replicationFactor - 1; j++) {
        replicas.add(live.get((first + 1 + (shift + j) % (n - 1)) % n));
      }
      assignment.add(PartitionState.created(replicas));
    }
    return assignment;
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
