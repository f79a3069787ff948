package dev.tributary.node.partition;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The broker's own commands to a partition entity (from the controller and the gateway). They
 * are sent through sharding and may cross nodes, so they are wire {@link PartitionCommand}s in
 * CBOR; at the partition they are part of its {@link PartitionEntity.Command} protocol as they are.
 */
public sealed interface PartitionControl extends PartitionCommand, PartitionEntity.Command, CborSerializable {

  /** Start the partition now (after topic creation), so it does not wait for traffic. */
  record Wake(String topic, int partition) implements PartitionControl {}

  /**
   * Sent by the local data gateway through sharding, behind the requests it forwarded that way;
   * the partition answers {@link dev.tributary.node.gateway.DataGateway.DirectRouteOpen}.
   */
  record OpenDirectRoute(String topic, int partition) implements PartitionControl {}

  /**
   * Records below {@code offset} are redundant (a group log below a completed snapshot; a
   * follower's below its leader's log start): delete the whole segments below it, never above
   * the replica's high watermark (Kafka's {@code DeleteRecords}, by segments).
   */
  record DeleteRecordsBelow(String topic, int partition, long offset) implements PartitionControl {}

  /** Delete the partition's data and stop; answers when the files are gone. */
  record DeletePartition(String topic, int partition, ActorRef<Done> replyTo) implements PartitionControl {}
}
