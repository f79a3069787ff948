package dev.tributary.node.gateway;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.message.MetadataResponse;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * What the controller sends the control gateways of every node, and the key they register under.
 * These cross nodes: their names are part of the broker-to-broker contract (Jackson's manifest is
 * the class name), so they stay here when the gateway's code moves.
 */
public final class GatewayMessages {

  /** Control gateways register under this key; the controller pushes metadata to all of them. */
  public static final ServiceKey<ControlGateway.Command> GATEWAY_KEY =
      ServiceKey.create(ControlGateway.Command.class, "tributary-gateway");

  /** The controller's current metadata, pushed on every change and to every new gateway. */
  public record MetadataUpdated(MetadataResponse snapshot) implements ControlGateway.Command, CborSerializable {}

  private GatewayMessages() {}
}
