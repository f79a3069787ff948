package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;

/**
 * The offset found (-1 when no batch is that new), with the partition's bounds and its log's size
 * on disk (bytes; refreshed by the partition periodically, so it may lag the latest writes).
 */
public record ListOffsetsResponse(
    String topic,
    int partition,
    ErrorCode error,
    String errorMessage,
    long offset,
    long logStartOffset,
    long highWatermark,
    long sizeBytes)
    implements CborSerializable {}
