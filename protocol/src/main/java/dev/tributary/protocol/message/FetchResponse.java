package dev.tributary.protocol.message;

import dev.tributary.protocol.ErrorCode;

/**
 * Stored batches, concatenated as the broker stored them (the client decodes them), with the
 * partition's high watermark and log start offset; or an error.
 */
public record FetchResponse(
    long correlationId,
    String topic,
    int partition,
    ErrorCode error,
    String errorMessage,
    long highWatermark,
    long logStartOffset,
    byte[] records)
    implements DataPlaneMessage {

  public static FetchResponse failed(Fetch request, ErrorCode error, String message, long hw, long start) {
    return new FetchResponse(request.correlationId(), request.topic(), request.partition(), error,
        message == null ? error.advice() : message, hw, start, new byte[0]);
  }
}
