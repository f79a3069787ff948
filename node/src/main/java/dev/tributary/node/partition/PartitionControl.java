package dev.tributary.node.partition;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/** Broker-internal commands to a partition entity; they may cross nodes, so they are CBOR. */
public interface PartitionControl extends PartitionCommand, CborSerializable {

  /** Start the partition now (after topic creation), so it does not wait for traffic. */
  record Wake(String topic, int partition) implements PartitionControl {}

  /**
   * Sent by the local data gateway through sharding, behind the requests it forwarded that way;
   * the partition answers {@link dev.tributary.node.gateway.GatewayMessages.DirectRouteOpen}.
   */
  record OpenDirectRoute(String topic, int partition) implements PartitionControl {}

  /** Delete the partition's data and stop; answers when the files are gone. */
  record DeletePartition(String topic, int partition, ActorRef<Done> replyTo) implements PartitionControl {}
}
