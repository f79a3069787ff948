package dev.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A record batch in its wire and storage form: the unit producers send, brokers store and
 * consumers fetch. The broker reads only the header and checks the CRC; it stamps the base offset
 * and stores the bytes as they are. The layout is Kafka's record batch v2 byte for byte, so Kafka
 * clients (and a Kafka-protocol fetch) can use stored bytes as they are (big-endian; see
 * docs/FORMAT.md):
 *
 * <pre>
 *  0 int64 base offset          stamped by the broker
 *  8 int32 batch length         bytes after this field (the batch's size - 12)
 * 12 int32 partition leader epoch  stamped by the broker
 * 16 int8  magic                = 2
 * 17 int32 CRC32C               over the attributes to the end (bytes 21..)
 * 21 int16 attributes           bits 0-2 the records' {@link Compression}; 0 otherwise (create time)
 * 23 int32 last offset delta    record count - 1
 * 27 int64 first timestamp
 * 35 int64 max timestamp
 * 43 int64 producer id          -1 when not idempotent
 * 51 int16 producer epoch
 * 53 int32 base sequence        -1 when not idempotent
 * 57 int32 record count
 * 61 records...                  compressed as a whole when the attributes name a codec
 * </pre>
 *
 * Because the CRC covers neither the base offset nor the leader epoch, stamping them never changes
 * it. Instances wrap a buffer; they are immutable except through {@link #stampBaseOffset} and
 * {@link #stampLeaderEpoch}, which only the broker calls on its own copy.
 */
public final class RecordBatch {

  public static final byte MAGIC = 2;
  public static final int HEADER_SIZE = 61;
  public static final long NO_PRODUCER_ID = -1;
  public static final int NO_SEQUENCE = -1;

  static final int BASE_OFFSET = 0;
  static final int LENGTH = 8;
  static final int LEADER_EPOCH = 12;
  static final int MAGIC_OFFSET = 16;
  static final int CRC = 17;
  static final int ATTRIBUTES = 21;
  static final int LAST_OFFSET_DELTA = 23;
  static final int FIRST_TIMESTAMP = 27;
  static final int MAX_TIMESTAMP = 35;
  static final int PRODUCER_ID = 43;
  static final int PRODUCER_EPOCH = 51;
  static final int BASE_SEQUENCE = 53;
  static final int RECORD_COUNT = 57;

  /**
   * The smallest record: its length, attributes, timestamp delta, offset delta, key length, value
   * length and header count, one byte each.
   */
  static final int MIN_RECORD_SIZE = 7;

  /** Bytes a batch has beyond what its length field counts: the base offset and the length itself. */
  static final int LENGTH_OVERHEAD = LENGTH + 4;

  /** Where the CRC32C starts: the attributes, so base offset, length, epoch and magic are outside it. */
  static final int CRC_START = ATTRIBUTES;

  /** Tributary before Kafka's layout: the length at 12 (counting the bytes after 16), magic at 20. */
  private static final int OLD_LENGTH = 12;
  private static final int OLD_MAGIC = 20;

  private final ByteBuffer buffer; // position 0 = start of the batch, limit = end

  private RecordBatch(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /**
   * Wraps bytes that should hold exactly one batch, checking the header's sizes, magic and CRC.
   *
   * @throws CorruptRecordException with what is wrong
   */
  public static RecordBatch validate(ByteBuffer bytes) {
    ByteBuffer b = bytes.slice();
    if (b.remaining() < HEADER_SIZE) {
      throw new CorruptRecordException(
          "a record batch needs at least " + HEADER_SIZE + " bytes, got " + b.remaining());
    }
    int length = b.getInt(LENGTH);
    int following = b.remaining() - LENGTH_OVERHEAD;
    if (length != following) {
      if (inOldLayout(b)) {
        throw new CorruptRecordException("the batch has the header of an earlier Tributary (length at byte 12,"
            + " CRC at 16), not Kafka's record batch v2: upgrade the client that sent it; stored data of that"
            + " layout is not converted");
      }
      throw new CorruptRecordException(
          "the batch length field (bytes 8-11) says " + length + " bytes but " + following + " follow it");
    }
    if (b.get(MAGIC_OFFSET) != MAGIC) {
      throw new CorruptRecordException(
          "unknown batch format (magic " + b.get(MAGIC_OFFSET) + " at byte 16, expected " + MAGIC + ")");
    }
    int count = b.getInt(RECORD_COUNT);
    if (count < 1 || b.getInt(LAST_OFFSET_DELTA) != count - 1) {
      throw new CorruptRecordException("a batch must hold at least one record, with last offset delta = count - 1");
    }
    if (computeCrc(b) != b.getInt(CRC)) {
      throw new CorruptRecordException(
          "the batch CRC does not match its bytes from the attributes on: it was damaged in transit");
    }
    Compression.forId(b.getShort(ATTRIBUTES) & Compression.CODEC_MASK);
    return new RecordBatch(b);
  }

  /**
   * Decodes the records to check them (a compressed batch is stored as it came, so its records are
   * checked once, here, by the leader): they must decompress, parse, and be exactly as many as the
   * header says.
   *
   * @throws CorruptRecordException with what is wrong
   */
  public RecordBatch validateRecords() {
    records();
    return this;
  }

  /** The codec of the records (the header is never compressed). */
  public Compression compression() {
    return Compression.forId(buffer.getShort(ATTRIBUTES) & Compression.CODEC_MASK);
  }

  /**
   * Whether a batch whose length field is wrong has the older Tributary header (length at 12, magic
   * at 20) instead, so the error can say so rather than report a mere bad length.
   */
  private static boolean inOldLayout(ByteBuffer b) {
    return b.getInt(OLD_LENGTH) == b.remaining() - (OLD_LENGTH + 4) && b.get(OLD_MAGIC) == MAGIC;
  }

  /** Wraps stored bytes without checking them (the broker checked them on the way in). */
  public static RecordBatch wrap(ByteBuffer bytes) {
    return new RecordBatch(bytes.slice());
  }

  static int computeCrc(ByteBuffer batch) {
    CRC32C crc = new CRC32C();
    crc.update(batch.duplicate().position(CRC_START));
    return (int) crc.getValue();
  }

  /** Sets the base offset in place. Broker only, on a buffer it owns. */
  public void stampBaseOffset(long baseOffset) {
    buffer.putLong(BASE_OFFSET, baseOffset);
  }

  /** Sets the partition leader epoch in place. Broker only, on a buffer it owns. */
  public void stampLeaderEpoch(int epoch) {
    buffer.putInt(LEADER_EPOCH, epoch);
  }

  public long baseOffset() {
    return buffer.getLong(BASE_OFFSET);
  }

  public int leaderEpoch() {
    return buffer.getInt(LEADER_EPOCH);
  }

  public int recordCount() {
    return buffer.getInt(RECORD_COUNT);
  }

  public long lastOffset() {
    return baseOffset() + buffer.getInt(LAST_OFFSET_DELTA);
  }

  public long nextOffset() {
    return lastOffset() + 1;
  }

  public long firstTimestamp() {
    return buffer.getLong(FIRST_TIMESTAMP);
  }

  public long maxTimestamp() {
    return buffer.getLong(MAX_TIMESTAMP);
  }

  public long producerId() {
    return buffer.getLong(PRODUCER_ID);
  }

  public short producerEpoch() {
    return buffer.getShort(PRODUCER_EPOCH);
  }

  public int baseSequence() {
    return buffer.getInt(BASE_SEQUENCE);
  }

  public int lastSequence() {
    return baseSequence() == NO_SEQUENCE ? NO_SEQUENCE : baseSequence() + recordCount() - 1;
  }

  public boolean isIdempotent() {
    return producerId() != NO_PRODUCER_ID;
  }

  public int sizeInBytes() {
    return buffer.remaining();
  }

  /** A read-only view of the whole batch. */
  public ByteBuffer buffer() {
    return buffer.asReadOnlyBuffer();
  }

  /**
   * The batch's bytes without copying when the batch spans its whole backing array (as every
   * batch {@link RecordBatchBuilder} builds does), else a copy. Shared: do not modify.
   */
  public byte[] sharedBytes() {
    if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
        && buffer.limit() == buffer.array().length) {
      return buffer.array();
    }
    return toByteArray();
  }

  /** Copies the batch into a new array. */
  public byte[] toByteArray() {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  /** Decodes the records (client side), decompressing them first when the batch is compressed. */
  public List<Record> records() {
    ByteBuffer in = recordBytes();
    long baseOffset = baseOffset();
    long firstTimestamp = firstTimestamp();
    int count = recordCount();
    // Every count and length below comes from the sender: none sizes an allocation before the
    // bytes it claims are known to be there.
    if (count > in.remaining() / MIN_RECORD_SIZE) {
      throw new CorruptRecordException("the batch at offset " + baseOffset + " claims " + count + " records in "
          + in.remaining() + " bytes of records: each takes at least " + MIN_RECORD_SIZE);
    }
    List<Record> records = new ArrayList<>(count);
    try {
      for (int i = 0; i < count; i++) {
        int length = Varints.readVarint(in);
        int end = in.position() + length;
        in.get(); // record attributes, unused
        long timestamp = firstTimestamp + Varints.readVarlong(in);
        int offsetDelta = Varints.readVarint(in);
        if (offsetDelta != i) {
          throw new CorruptRecordException("record " + i + " of the batch at offset " + baseOffset
              + " has offset delta " + offsetDelta + ": the records' offsets must be incremental");
        }
        long offset = baseOffset + offsetDelta;
        byte[] key = readBytes(in);
        byte[] value = readBytes(in);
        int headerCount = Varints.readVarint(in);
        if (headerCount < 0 || headerCount > in.remaining() / 2) {
          throw new CorruptRecordException("record " + i + " claims " + headerCount + " headers in "
              + in.remaining() + " bytes");
        }
        List<Header> headers = new ArrayList<>(headerCount);
        for (int h = 0; h < headerCount; h++) {
          byte[] headerKey = readBytes(in);
          headers.add(new Header(new String(headerKey, StandardCharsets.UTF_8), readBytes(in)));
        }
        if (in.position() != end) {
          throw new CorruptRecordException("record " + i + " is not as long as its length says");
        }
        records.add(new Record(offset, timestamp, key, value, headers));
      }
      if (in.hasRemaining()) {
        throw new CorruptRecordException("the batch at offset " + baseOffset + " has " + in.remaining()
            + " bytes after its " + count + " records");
      }
    } catch (RuntimeException e) {
      if (e instanceof CorruptRecordException c) {
        throw c;
      }
      throw new CorruptRecordException("cannot decode the records of the batch at offset " + baseOffset + ": " + e);
    }
    return records;
  }

  /** The records section, decompressed. */
  private ByteBuffer recordBytes() {
    Compression codec = compression();
    ByteBuffer stored = buffer.duplicate().position(HEADER_SIZE);
    if (codec == Compression.NONE) {
      return stored;
    }
    byte[] compressed;
    int offset;
    if (stored.hasArray()) {
      compressed = stored.array();
      offset = stored.arrayOffset() + stored.position();
    } else {
      compressed = new byte[stored.remaining()];
      stored.duplicate().get(compressed);
      offset = 0;
    }
    return ByteBuffer.wrap(codec.decompress(compressed, offset, stored.remaining()));
  }

  private static byte[] readBytes(ByteBuffer in) {
    int length = Varints.readVarint(in);
    if (length < 0) {
      return null;
    }
    if (length > in.remaining()) {
      throw new CorruptRecordException("a field claims " + length + " bytes where " + in.remaining() + " remain");
    }
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  /** Splits concatenated batches (as a fetch returns them) into batches. */
  public static List<RecordBatch> split(ByteBuffer concatenated) {
    List<RecordBatch> batches = new ArrayList<>();
    ByteBuffer b = concatenated.duplicate();
    while (b.remaining() >= HEADER_SIZE) {
      // The length field counts the bytes after itself; the next batch starts after them.
      int size = b.getInt(b.position() + LENGTH) + LENGTH_OVERHEAD;
      if (size < HEADER_SIZE) {
        throw new CorruptRecordException("the length field of the batch at byte " + b.position()
            + " makes it " + size + " bytes, less than its " + HEADER_SIZE + "-byte header");
      }
      if (size > b.remaining()) {
        throw new CorruptRecordException("a batch of " + size + " bytes does not fit in " + b.remaining());
      }
      batches.add(wrap(b.duplicate().limit(b.position() + size)));
      b.position(b.position() + size);
    }
    return batches;
  }
}
