package dev.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Builds one {@link RecordBatch} from records (client side). Not thread-safe. Each record is
 * written as Kafka writes it: varint length, attributes, timestamp delta (varlong), offset delta,
 * key, value and headers, lengths as zig-zag varints with -1 for null; the header is Kafka's
 * record batch v2 (see {@link RecordBatch}).
 */
public final class RecordBatchBuilder {

  private ByteBuffer records = ByteBuffer.allocate(1024);
  private int count;
  private long firstTimestamp = -1;
  private long maxTimestamp = -1;

  /** Adds a record; its offset is its position in the batch. */
  public RecordBatchBuilder add(byte[] key, byte[] value, List<Header> headers, long timestamp) {
    if (count == 0) {
      firstTimestamp = timestamp;
    }
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    long timestampDelta = timestamp - firstTimestamp;
    int bodySize = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(count)
        + sizeOfBytes(key) + sizeOfBytes(value) + Varints.sizeOfVarint(headers.size());
    for (Header h : headers) {
      bodySize += sizeOfBytes(h.key().getBytes(StandardCharsets.UTF_8)) + sizeOfBytes(h.value());
    }
    ensure(Varints.sizeOfVarint(bodySize) + bodySize);
    Varints.writeVarint(bodySize, records);
    records.put((byte) 0);
    Varints.writeVarlong(timestampDelta, records);
    Varints.writeVarint(count, records);
    writeBytes(key, records);
    writeBytes(value, records);
    Varints.writeVarint(headers.size(), records);
    for (Header h : headers) {
      writeBytes(h.key().getBytes(StandardCharsets.UTF_8), records);
      writeBytes(h.value(), records);
    }
    count++;
    return this;
  }

  public int recordCount() {
    return count;
  }

  /** The size the batch will have if built now without compression (with it, at most about this). */
  public int sizeInBytes() {
    return RecordBatch.HEADER_SIZE + records.position();
  }

  /** The bytes a record would add, for batching by size before adding it. */
  public static int estimateRecordSize(byte[] key, byte[] value, List<Header> headers) {
    int size = 1 + 10 + 5 + sizeOfBytes(key) + sizeOfBytes(value) + 5;
    for (Header h : headers) {
      size += sizeOfBytes(h.key().getBytes(StandardCharsets.UTF_8)) + sizeOfBytes(h.value());
    }
    return size + 5;
  }

  /** Builds the batch with base offset 0 (the broker stamps the real one). */
  public RecordBatch build(long producerId, short producerEpoch, int baseSequence) {
    return build(producerId, producerEpoch, baseSequence, Compression.NONE);
  }

  /**
   * Builds the batch with its records compressed by {@code compression}, as Kafka's producer does:
   * the whole records section, in the codec's stream format; the header stays plain.
   */
  public RecordBatch build(long producerId, short producerEpoch, int baseSequence, Compression compression) {
    if (count == 0) {
      throw new IllegalStateException("a batch needs at least one record");
    }
    byte[] body = compression == Compression.NONE ? null
        : compression.compress(records.array(), records.arrayOffset(), records.position());
    int size = RecordBatch.HEADER_SIZE + (body == null ? records.position() : body.length);
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putLong(0L) // base offset: the broker stamps it
        .putInt(size - RecordBatch.LENGTH_OVERHEAD)
        .putInt(0) // partition leader epoch: the broker stamps it
        .put(RecordBatch.MAGIC)
        .putInt(0) // CRC, below: it covers the bytes after it
        .putShort((short) compression.id())
        .putInt(count - 1)
        .putLong(firstTimestamp)
        .putLong(maxTimestamp)
        .putLong(producerId)
        .putShort(producerEpoch)
        .putInt(baseSequence)
        .putInt(count);
    if (body == null) {
      out.put(records.duplicate().flip());
    } else {
      out.put(body);
    }
    out.flip();
    out.putInt(RecordBatch.CRC, RecordBatch.computeCrc(out));
    return RecordBatch.wrap(out);
  }

  /** Builds a batch without producer id (not idempotent). */
  public RecordBatch build() {
    return build(RecordBatch.NO_PRODUCER_ID, (short) -1, RecordBatch.NO_SEQUENCE);
  }

  private void ensure(int bytes) {
    if (records.remaining() < bytes) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(records.capacity() * 2, records.position() + bytes));
      bigger.put(records.flip());
      records = bigger;
    }
  }

  private static int sizeOfBytes(byte[] bytes) {
    return bytes == null ? Varints.sizeOfVarint(-1) : Varints.sizeOfVarint(bytes.length) + bytes.length;
  }

  private static void writeBytes(byte[] bytes, ByteBuffer out) {
    if (bytes == null) {
      Varints.writeVarint(-1, out);
    } else {
      Varints.writeVarint(bytes.length, out);
      out.put(bytes);
    }
  }
}
