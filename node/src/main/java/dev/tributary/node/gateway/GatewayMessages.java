package dev.tributary.node.gateway;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/** Broker-internal messages to gateways, and the key they register under. */
public final class GatewayMessages {

  /** Gateways register under this key; the controller pushes metadata to all of them. */
  public static final ServiceKey<GatewayRequest> GATEWAY_KEY =
      ServiceKey.create(GatewayRequest.class, "tributary-gateway");

  /** The controller's current metadata, pushed on every change and to every new gateway. */
  public record MetadataUpdated(MetadataResponse snapshot) implements GatewayRequest, CborSerializable {}

  /**
   * A partition entity started on this node: the data gateway hands its produce and fetch
   * requests to it directly, skipping the shard region and shard hops, until it stops.
   */
  public record LocalPartitionStarted(String partitionId, ActorRef<PartitionCommand> partition)
      implements GatewayRequest, NoSerializationVerificationNeeded {}

  private GatewayMessages() {}
}
