package dev.tributary.protocol.message;

import dev.tributary.protocol.ErrorCode;

/**
 * The outcome of a {@link Produce}: the base offset given to the batch, or an error.
 *
 * @param logAppendTime -1: topics keep the producer's create time
 */
public record ProduceResponse(
    long correlationId,
    String topic,
    int partition,
    ErrorCode error,
    String errorMessage,
    long baseOffset,
    long logAppendTime,
    long logStartOffset)
    implements DataPlaneMessage {

  public static ProduceResponse failed(Produce request, ErrorCode error, String message) {
    return new ProduceResponse(request.correlationId(), request.topic(), request.partition(), error,
        message == null ? error.advice() : message, -1, -1, -1);
  }
}
