package dev.tributary.kafka;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.pekko.util.ByteString;

/**
 * Writes an answer's fields into one array of their exact size, and its records by reference: the
 * answer is the fields' pieces and the records' own bytes joined, never copied into one buffer. A
 * Fetch answer is almost all records, so this spares a copy of every fetched byte (Kafka's
 * {@code SendBuilder} does the same for its sockets).
 *
 * <p>The records' arrays must not change afterwards: fetched batches never do. (A read-only
 * buffer has no array to share, and is copied.)
 */
final class RecordsByReference extends ByteBufferAccessor {

  private final ByteBuffer fields;
  private ByteString written = ByteString.emptyByteString();
  private int joinedUpTo;

  /** @param fieldBytes the answer's size without its records ({@code sizeExcludingZeroCopy}) */
  RecordsByReference(int fieldBytes) {
    this(ByteBuffer.allocate(fieldBytes));
  }

  private RecordsByReference(ByteBuffer fields) {
    super(fields);
    this.fields = fields;
  }

  @Override
  public void writeRecords(BaseRecords records) {
    if (records instanceof StoredRecords stored) {
      join(stored.bytes());
    } else if (records instanceof MemoryRecords memory) {
      ByteBuffer bytes = memory.buffer();
      join(bytes.hasArray()
          ? ByteString.fromArrayUnsafe(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining())
          : ByteString.fromByteBuffer(bytes));
    } else {
      throw new IllegalArgumentException("only in-memory records are written, not " + records.getClass().getName());
    }
  }

  /**
   * A zero-copy bytes field (an envelope's request data, say): counted out of the fields' size like
   * records, so joined like them, though copied, since a {@code ByteBuffer} may change later.
   */
  @Override
  public void writeByteBuffer(ByteBuffer bytes) {
    join(ByteString.fromByteBuffer(bytes));
  }

  private void join(ByteString records) {
    if (!records.isEmpty()) {
      joinFields();
      written = written.concat(records);
    }
  }

  /**
   * The whole answer.
   *
   * @throws IllegalStateException when the fields written do not fill their array, or the answer is
   *     not {@code totalBytes} long: the sizes computed and the bytes written disagree
   */
  ByteString answer(int totalBytes) {
    if (fields.hasRemaining()) {
      throw new IllegalStateException("the answer's fields took " + fields.position() + " of the "
          + fields.capacity() + " bytes computed for them");
    }
    joinFields();
    if (written.size() != totalBytes) {
      throw new IllegalStateException("the answer is " + written.size() + " bytes, but its size is " + totalBytes);
    }
    return written;
  }

  private void joinFields() {
    int upTo = fields.position();
    if (upTo > joinedUpTo) {
      written = written.concat(ByteString.fromArrayUnsafe(fields.array(), joinedUpTo, upTo - joinedUpTo));
      joinedUpTo = upTo;
    }
  }
}
