package dev.tributary.node.controller;

import com.typesafe.config.Config;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.AdminRequest;
import java.util.Map;

/**
 * Turns an admin request into the controller log entry that makes it, or refuses it before it is
 * proposed. Internal topics are the controller's own: the group log {@value GroupPartitions#TOPIC}
 * is created with the cluster's {@code tributary.groups} settings whatever its request asked for
 * (so every broker agrees on a group's partition), and no request changes or deletes it.
 */
final class AdminEntries {

  /** An entry to propose, or why the request is refused (then {@code entry} is null). */
  record Translated(ControllerRecord entry, ErrorCode error, String message) {
    static Translated refused(ErrorCode error, String message) {
      return new Translated(null, error, message);
    }
  }

  private final int defaultReplicationFactor;
  private final int groupPartitions;
  private final int groupReplicationFactor;
  private final long groupSegmentBytes;

  AdminEntries(int defaultReplicationFactor, int groupPartitions, int groupReplicationFactor, long groupSegmentBytes) {
    this.defaultReplicationFactor = defaultReplicationFactor;
    this.groupPartitions = groupPartitions;
    this.groupReplicationFactor = groupReplicationFactor;
    this.groupSegmentBytes = groupSegmentBytes;
  }

  static AdminEntries fromConfig(Config config) {
    return new AdminEntries(config.getInt("tributary.broker.default-replication-factor"),
        config.getInt("tributary.groups.partitions"), config.getInt("tributary.groups.replication-factor"),
        config.getBytes("tributary.groups.segment-bytes"));
  }

  /** Copies of each partition of the group log: brokers must have registered before it is created. */
  int groupReplicationFactor() {
    return groupReplicationFactor;
  }

  Translated translate(AdminRequest request, String requestId) {
    if (request instanceof AdminRequest.CreateTopic create) {
      if (create.name().equals(GroupPartitions.TOPIC)) {
        return new Translated(groupTopic(requestId), ErrorCode.NONE, "");
      }
      int replicationFactor = create.replicationFactor() == AdminRequest.CreateTopic.DEFAULT_REPLICATION_FACTOR
          ? defaultReplicationFactor : create.replicationFactor();
      if (replicationFactor < 1) {
        return Translated.refused(ErrorCode.INVALID_REPLICATION_FACTOR,
            "the replication factor must be at least 1, got " + replicationFactor);
      }
      return new Translated(new ControllerRecord.CreateTopic(create.name(), requestId, create.partitions(),
          replicationFactor, create.configs()), ErrorCode.NONE, "");
    }
    String name = request.name();
    if (TopicNames.isInternal(name)) {
      return Translated.refused(ErrorCode.INVALID_TOPIC, "topic '" + name + "' is internal: Tributary manages it");
    }
    if (request instanceof AdminRequest.DeleteTopic delete) {
      return new Translated(new ControllerRecord.DeleteTopic(delete.name()), ErrorCode.NONE, "");
    } else if (request instanceof AdminRequest.AddPartitions add) {
      return new Translated(new ControllerRecord.AddPartitions(add.name(), add.partitions()), ErrorCode.NONE, "");
    } else if (request instanceof AdminRequest.AlterConfigs alter) {
      return new Translated(new ControllerRecord.AlterConfigs(alter.name(), alter.configs()), ErrorCode.NONE, "");
    }
    return Translated.refused(ErrorCode.INVALID_REQUEST, "unknown request");
  }

  /**
   * The group log: commits are acknowledged by two copies where there are two (Kafka's offsets
   * topic relies on the broker default; a commit that one disk holds is lost with it). Kept
   * forever by time and size: retention that knows nothing of its snapshots could remove half of
   * one; the coordinators delete what their snapshots make redundant.
   */
  private ControllerRecord groupTopic(String requestId) {
    Map<String, String> configs = Map.of(TopicConfig.MIN_INSYNC_REPLICAS,
        Integer.toString(Math.min(2, groupReplicationFactor)), TopicConfig.RETENTION_MS, "-1",
        TopicConfig.RETENTION_BYTES, "-1", TopicConfig.SEGMENT_BYTES, Long.toString(groupSegmentBytes));
    return new ControllerRecord.CreateTopic(GroupPartitions.TOPIC, requestId, groupPartitions, groupReplicationFactor,
        configs);
  }
}
