package dev.tributary.journal.segment;

import java.nio.ByteBuffer;

/**
 * A stored record batch as the fetch path serves it: its offsets and its payload bytes, copied out
 * of the segment file (never a live mapping of it) and never deserialized.
 *
 * @param payload read-only bytes of the serialized event
 */
public record RawBatch(
    long baseOffset, int recordCount, long maxTimestamp, int leaderEpoch, long sequenceNr,
    ByteBuffer payload) {

  public long nextOffset() {
    return baseOffset + recordCount;
  }
}
