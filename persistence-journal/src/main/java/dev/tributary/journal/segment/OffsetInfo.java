package dev.tributary.journal.segment;

/**
 * The record-batch facts of an entry, stored in its header so indexes can be rebuilt and raw reads
 * served without deserializing the payload.
 */
public record OffsetInfo(long baseOffset, int recordCount, long maxTimestamp, int leaderEpoch) {

  public OffsetInfo {
    if (baseOffset < 0) {
      throw new IllegalArgumentException("baseOffset must be >= 0, got " + baseOffset);
    }
    if (recordCount < 1) {
      throw new IllegalArgumentException("recordCount must be >= 1, got " + recordCount);
    }
  }

  /** The offset after the last record of this batch. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }
}
