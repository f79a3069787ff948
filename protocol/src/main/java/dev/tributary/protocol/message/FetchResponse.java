package dev.tributary.protocol.message;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Stored batches, end to end as the broker stored them (the client decodes them), with the
 * partition's high watermark and log start offset; or an error.
 *
 * <p>Equality is by content (records included), so comparing or hashing one reads its records.
 *
 * @param records the batches, often joined from the buffers the broker read them into rather than
 *     copied into one ({@link #batches()} splits them)
 */
public record FetchResponse(
    long correlationId,
    String topic,
    int partition,
    ErrorCode error,
    String errorMessage,
    long highWatermark,
    long logStartOffset,
    ByteString records)
    implements DataPlaneMessage {

  /**
   * The records' batches, split. Over the records' own array when they are in one piece (as they
   * arrive from another JVM): {@code asByteBuffer()} is read-only, and a compressed batch read
   * from a read-only buffer is copied before it is decompressed.
   */
  public List<RecordBatch> batches() {
    return RecordBatch.split(ByteBuffer.wrap(records.toArrayUnsafe()));
  }

  public static FetchResponse failed(Fetch request, ErrorCode error, String message, long hw, long start) {
    return new FetchResponse(request.correlationId(), request.topic(), request.partition(), error,
        message == null ? error.advice() : message, hw, start, ByteString.emptyByteString());
  }
}
