package dev.tributary.node.controller;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/**
 * An entry of the controller's Raft log. Each is a request, decided when it is applied: every
 * voter applies the same entries in the same order to the same {@link ControllerState}, so every
 * voter reaches the same answer (a topic created twice is refused at the second entry, wherever it
 * was proposed). Whatever is random (a topic id, the cluster id) is chosen by the proposer and
 * carried in the entry, so applying stays deterministic.
 *
 * <p>These are stored: their names ({@code @JsonSubTypes}) and fields are the log's format.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = ControllerRecord.InitCluster.class, name = "init-cluster"),
    @JsonSubTypes.Type(value = ControllerRecord.CreateTopic.class, name = "create-topic"),
    @JsonSubTypes.Type(value = ControllerRecord.AddPartitions.class, name = "add-partitions"),
    @JsonSubTypes.Type(value = ControllerRecord.DeleteTopic.class, name = "delete-topic"),
    @JsonSubTypes.Type(value = ControllerRecord.AlterConfigs.class, name = "alter-configs"),
    @JsonSubTypes.Type(value = ControllerRecord.AllocateProducerIds.class, name = "allocate-producer-ids"),
    @JsonSubTypes.Type(value = ControllerRecord.RegisterBroker.class, name = "register-broker"),
    @JsonSubTypes.Type(value = ControllerRecord.FenceBroker.class, name = "fence-broker"),
    @JsonSubTypes.Type(value = ControllerRecord.AlterPartition.class, name = "alter-partition"),
    @JsonSubTypes.Type(value = ControllerRecord.ElectPreferredLeaders.class, name = "elect-preferred-leaders")
})
public sealed interface ControllerRecord {

  /** The first controller names the cluster; later ones find it named and change nothing. */
  record InitCluster(String clusterId) implements ControllerRecord {}

  /**
   * @param replicationFactor copies of each partition (0 in entries written before replication
   *     existed: 1)
   */
  record CreateTopic(String name, String topicId, int partitions, int replicationFactor, Map<String, String> configs)
      implements ControllerRecord {}

  record AddPartitions(String name, int partitions) implements ControllerRecord {}

  record DeleteTopic(String name) implements ControllerRecord {}

  /** Sets each key; an empty value resets the key to the broker default. */
  record AlterConfigs(String name, Map<String, String> changes) implements ControllerRecord {}

  /** A block of producer ids for the broker of this id and epoch (a fenced epoch gets none). */
  record AllocateProducerIds(int brokerId, long brokerEpoch, int count) implements ControllerRecord {}

  /**
   * A broker starting, or coming back after it was fenced.
   *
   * @param incarnationId unique per start of the broker's process
   * @param directoryId the UUID of its data directory
   * @param address its Artery {@code host:port}
   * @param kafkaAddress the advertised {@code host:port} of its Kafka listener ("" when it has none)
   */
  record RegisterBroker(int brokerId, String incarnationId, String directoryId, String address, String kafkaAddress)
      implements ControllerRecord {
    public RegisterBroker {
      // Entries logged before Kafka listeners decode without the field: those brokers had none.
      kafkaAddress = kafkaAddress == null ? "" : kafkaAddress;
    }
  }

  /** The broker's session of this epoch expired, or it is stopping: it leads nothing from here on. */
  record FenceBroker(int brokerId, long brokerEpoch) implements ControllerRecord {}

  /**
   * A partition's leader asks for a new in-sync replica set (Kafka's {@code AlterPartition}):
   * applied only if it still leads in that leader epoch and the partition is still at that
   * partition epoch, so a deposed leader, or one that missed a change, changes nothing.
   */
  record AlterPartition(String topic, int partition, int leader, int leaderEpoch, int partitionEpoch,
      java.util.List<Integer> isr) implements ControllerRecord {}

  /**
   * Moves leadership back to each partition's preferred replica (its first) wherever that replica
   * is live, in sync, and not leading: the controller proposes it when its periodic check finds
   * such partitions; which they are is decided when it is applied.
   */
  record ElectPreferredLeaders() implements ControllerRecord {}
}
