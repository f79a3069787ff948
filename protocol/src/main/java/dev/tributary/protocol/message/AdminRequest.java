package dev.tributary.protocol.message;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tributary.protocol.CborSerializable;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/** Topic management, forwarded by the gateway to the controller. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
@JsonSubTypes({
    @JsonSubTypes.Type(value = AdminRequest.CreateTopic.class, name = "create-topic"),
    @JsonSubTypes.Type(value = AdminRequest.DeleteTopic.class, name = "delete-topic"),
    @JsonSubTypes.Type(value = AdminRequest.AddPartitions.class, name = "add-partitions"),
    @JsonSubTypes.Type(value = AdminRequest.AlterConfigs.class, name = "alter-configs")
})
public sealed interface AdminRequest extends GatewayRequest, CborSerializable {

  ActorRef<AdminResponse> replyTo();

  /** The topic the request is about. */
  String name();

  /** The same request, answered to {@code replyTo} instead (a broker forwarding it keeps track of it). */
  AdminRequest withReplyTo(ActorRef<AdminResponse> replyTo);

  /**
   * Create a topic; configs not given take the broker defaults.
   *
   * @param replicationFactor copies of each partition, or {@link #DEFAULT_REPLICATION_FACTOR} for
   *     the broker's {@code default.replication.factor}
   */
  record CreateTopic(String name, int partitions, int replicationFactor, Map<String, String> configs,
      ActorRef<AdminResponse> replyTo) implements AdminRequest {
    public static final int DEFAULT_REPLICATION_FACTOR = -1;

    public CreateTopic(String name, int partitions, Map<String, String> configs, ActorRef<AdminResponse> replyTo) {
      this(name, partitions, DEFAULT_REPLICATION_FACTOR, configs, replyTo);
    }

    @Override
    public CreateTopic withReplyTo(ActorRef<AdminResponse> to) {
      return new CreateTopic(name, partitions, replicationFactor, configs, to);
    }
  }

  /** Delete a topic and its data. */
  record DeleteTopic(String name, ActorRef<AdminResponse> replyTo) implements AdminRequest {
    @Override
    public DeleteTopic withReplyTo(ActorRef<AdminResponse> to) {
      return new DeleteTopic(name, to);
    }
  }

  /**
   * Change a topic's configs: the given keys are set; a key with an empty value goes back to the
   * broker default. Keys not given keep their values.
   */
  record AlterConfigs(String name, Map<String, String> configs, ActorRef<AdminResponse> replyTo)
      implements AdminRequest {
    @Override
    public AlterConfigs withReplyTo(ActorRef<AdminResponse> to) {
      return new AlterConfigs(name, configs, to);
    }
  }

  /** Raise a topic's partition count. */
  record AddPartitions(String name, int partitions, ActorRef<AdminResponse> replyTo) implements AdminRequest {
    @Override
    public AddPartitions withReplyTo(ActorRef<AdminResponse> to) {
      return new AddPartitions(name, partitions, to);
    }
  }
}
