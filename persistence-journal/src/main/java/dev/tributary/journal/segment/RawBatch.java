package dev.tributary.journal.segment;

import java.nio.ByteBuffer;
import org.apache.pekko.util.ByteString;

/**
 * A stored record batch as the fetch path serves it: its offsets and its payload bytes, copied out
 * of the segment file (never a live mapping of it) and never deserialized.
 *
 * @param bytes the serialized event: an immutable view of the buffer the segment was read into, so
 *     a fetch can hand it on (joined to its neighbours) without copying it
 */
public record RawBatch(
    long baseOffset, int recordCount, long maxTimestamp, int leaderEpoch, long sequenceNr,
    ByteString bytes) {

  /** The payload as a read-only buffer of its own (position 0, limit its size), sharing the bytes. */
  public ByteBuffer payload() {
    return bytes.asByteBuffer();
  }

  public long nextOffset() {
    return baseOffset + recordCount;
  }
}
