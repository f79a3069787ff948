package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A partition whose log could not be opened (its recovery or its first read failed): it stays up
 * and answers every request with {@code KAFKA_STORAGE_ERROR} and the reason, instead of stopping
 * and being started again by the next request, which would hit the same log again. A broker
 * restart (after the disk is fixed) opens the log again; deleting the topic still works.
 */
final class FailedPartition {

  private FailedPartition() {}

  static Behavior<PartitionEntity.Command> create(String partitionId, StorageEngine engine, String reason) {
    String message = "the log of partition " + partitionId + " could not be opened (" + reason
        + "): fix the disk under the broker's data directory, then restart the broker";
    return Behaviors.receive(PartitionEntity.Command.class)
        .onMessage(PartitionEntity.ProduceRequest.class, request -> {
          Produce p = request.request();
          p.replyTo().tell(ProduceResponse.failed(p, ErrorCode.KAFKA_STORAGE_ERROR, message));
          return Behaviors.same();
        })
        .onMessage(PartitionEntity.FetchRequest.class, request -> {
          Fetch f = request.request();
          f.replyTo().tell(FetchResponse.failed(f, ErrorCode.KAFKA_STORAGE_ERROR, message, -1, -1));
          return Behaviors.same();
        })
        .onMessage(PartitionEntity.ListOffsetsRequest.class, request -> {
          ListOffsets l = request.request();
          l.replyTo().tell(new ListOffsetsResponse(
              l.topic(), l.partition(), ErrorCode.KAFKA_STORAGE_ERROR, message, -1, -1, -1, -1));
          return Behaviors.same();
        })
        .onMessage(PartitionControl.DeletePartition.class, delete -> {
          engine.deleteLog(partitionId).whenComplete((ok, error) -> delete.replyTo().tell(Done.getInstance()));
          return Behaviors.stopped();
        })
        .onAnyMessage(other -> Behaviors.same())
        .build();
  }
}
