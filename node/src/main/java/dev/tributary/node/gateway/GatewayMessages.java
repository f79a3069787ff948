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
   * A partition entity started on this node. The data gateway will hand its produce and fetch
   * requests to it directly, skipping the shard region and shard hops, until it stops; but only
   * after {@link DirectRouteOpen}: requests already on their way through sharding must arrive
   * first, or an idempotent producer's batches would overtake each other.
   */
  public record LocalPartitionStarted(String topic, int partition, ActorRef<PartitionCommand> ref)
      implements GatewayRequest, NoSerializationVerificationNeeded {}

  /**
   * The partition's answer to {@link dev.tributary.node.partition.PartitionControl.OpenDirectRoute},
   * which the gateway sent through sharding behind every request it forwarded that way: from now
   * on a request sent directly cannot overtake one sent through sharding.
   */
  public record DirectRouteOpen(String partitionId, ActorRef<PartitionCommand> ref)
      implements GatewayRequest, NoSerializationVerificationNeeded {}

  private GatewayMessages() {}
}
