package dev.tributary.protocol.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Consumer-group requests, answered by the group's coordinator: it runs on the broker that leads
 * the group's partition of {@code __groups} ({@link dev.tributary.protocol.GroupPartitions}), and
 * any broker's gateway forwards a request there.
 * Membership follows Kafka's newer protocol (KIP-848): members heartbeat with what they own and
 * the coordinator answers with what they should own; a partition moves only after its old owner
 * has given it up, so members whose partitions do not move are never disturbed.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = GroupRequest.Heartbeat.class, name = "heartbeat"),
    @JsonSubTypes.Type(value = GroupRequest.CommitOffsets.class, name = "commit"),
    @JsonSubTypes.Type(value = GroupRequest.FetchOffsets.class, name = "fetch-offsets"),
    @JsonSubTypes.Type(value = GroupRequest.Describe.class, name = "describe"),
    @JsonSubTypes.Type(value = GroupRequest.ResetOffsets.class, name = "reset"),
    @JsonSubTypes.Type(value = GroupRequest.Delete.class, name = "delete")
})
public interface GroupRequest extends GatewayRequest, CborSerializable {

  String groupId();

  /**
   * Join (empty member id), stay (current member id and epoch) or leave. {@code owned} is what the
   * member holds right now; {@code topics} its subscription. {@code assignments} is the member's
   * own inbox: the coordinator pushes a changed assignment there at once (heartbeats remain the
   * back-stop), in the same form as the heartbeat's answer. {@code assignor} names the assignor
   * the member prefers ({@code sticky}, {@code range} or {@code round-robin}; empty: sticky); the
   * group uses the one most members prefer. {@code topicPattern}, when not empty, is a Java
   * regular expression the coordinator matches against every topic name (whole name; internal
   * {@code __} topics excluded) on each heartbeat, so topics created later join the subscription.
   */
  record Heartbeat(String groupId, String memberId, int memberEpoch, List<String> topics, String topicPattern,
      List<TopicPartition> owned,
      boolean leaving, int sessionTimeoutMs, String assignor, ActorRef<HeartbeatResponse> assignments,
      ActorRef<HeartbeatResponse> replyTo) implements GroupRequest {}

  /** What the member should own now (it gives up the rest), its epoch, and when to beat again. */
  record HeartbeatResponse(ErrorCode error, String errorMessage, String memberId, int memberEpoch,
      List<TopicPartition> assignment, int heartbeatIntervalMs) implements Response {}

  /** Every answer of a coordinator: its error says whether to look for the coordinator again. */
  interface Response extends CborSerializable {
    ErrorCode error();

    /** The coordinator moved, or is not there yet: ask again (Kafka's clients find the coordinator again). */
    default boolean coordinatorMoved() {
      return error() == ErrorCode.NOT_COORDINATOR || error() == ErrorCode.COORDINATOR_NOT_AVAILABLE
          || error() == ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    }
  }

  /** A committed position. */
  record CommittedOffset(TopicPartition partition, long offset, String metadata) implements CborSerializable {}

  record CommitOffsets(String groupId, String memberId, int memberEpoch, List<CommittedOffset> offsets,
      ActorRef<OffsetsResponse> replyTo) implements GroupRequest {}

  /** Committed offsets of these partitions (all of the group's when empty). */
  record FetchOffsets(String groupId, List<TopicPartition> partitions, ActorRef<OffsetsResponse> replyTo)
      implements GroupRequest {}

  record OffsetsResponse(ErrorCode error, String errorMessage, List<CommittedOffset> offsets)
      implements Response {}

  record Describe(String groupId, ActorRef<GroupDescription> replyTo) implements GroupRequest {}

  record MemberDescription(String memberId, int memberEpoch, List<String> topics, List<TopicPartition> assignment)
      implements CborSerializable {}

  /**
   * The group's state ("Empty", "Stable", "Reconciling"), generation, members and offsets, and
   * {@code coordinator}, the id of the broker whose coordinator answered (-1 when none did).
   */
  record GroupDescription(ErrorCode error, String errorMessage, String groupId, String state, int generation,
      String assignor, List<MemberDescription> members, List<CommittedOffset> offsets, int coordinator)
      implements Response {}

  /** Set the committed offsets of partitions (refused while members are live). */
  record ResetOffsets(String groupId, List<CommittedOffset> offsets, ActorRef<OffsetsResponse> replyTo)
      implements GroupRequest {}

  /** Forget the group's offsets (refused while members are live). */
  record Delete(String groupId, ActorRef<OffsetsResponse> replyTo) implements GroupRequest {}
}
