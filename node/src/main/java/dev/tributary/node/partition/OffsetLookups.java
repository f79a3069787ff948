package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;

/**
 * A partition leader's answers to {@code ListOffsets}: earliest and latest from its bounds, a
 * timestamp from the journal's time index (on its I/O threads, answered from there). Offsets at or
 * above the high watermark are never named: they are not committed.
 */
final class OffsetLookups {

  private OffsetLookups() {}

  static void answer(ListOffsets request, StorageEngine engine, String partitionId, LogPosition log) {
    String topic = request.topic();
    int partition = request.partition();
    long hw = log.highWatermark;
    long start = log.logStartOffset;
    long size = log.sizeBytes;
    if (request.timestamp() == ListOffsets.EARLIEST || request.timestamp() == ListOffsets.LATEST) {
      long offset = request.timestamp() == ListOffsets.EARLIEST ? start : hw;
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NONE, "", offset, start, hw, size));
    } else if (request.timestamp() < 0) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.INVALID_REQUEST,
          "timestamp must be -2 (earliest), -1 (latest) or >= 0, got " + request.timestamp(), -1, start, hw, size));
    } else {
      engine.offsetForTimestamp(partitionId, request.timestamp()).whenComplete((found, error) -> {
        if (error != null) {
          request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.KAFKA_STORAGE_ERROR,
              error.toString(), -1, start, hw, size));
        } else {
          long offset = found.isPresent() && found.getAsLong() < hw ? found.getAsLong() : -1;
          request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NONE, "", offset, start, hw, size));
        }
      });
    }
  }
}
