package dev.tributary.journal.segment;

/**
 * The fixed-size front of a stored entry: everything needed to index, truncate or serve it without
 * reading the variable part.
 *
 * @param totalSize bytes of the whole entry on disk, length prefix and CRC included
 * @param baseOffset first record offset, or -1 for an entry that is not a record batch
 */
public record EntryHeader(
    int totalSize,
    int crc,
    long sequenceNr,
    byte flags,
    long baseOffset,
    int recordCount,
    long maxTimestamp,
    int leaderEpoch,
    long timestamp) {

  public boolean endOfAtomicWrite() {
    return (flags & EntryCodec.FLAG_END_OF_ATOMIC_WRITE) != 0;
  }

  public boolean hasOffsets() {
    return (flags & EntryCodec.FLAG_HAS_OFFSETS) != 0;
  }

  /** The offset after this batch's last record; only meaningful when {@link #hasOffsets()}. */
  public long nextOffset() {
    return baseOffset + recordCount;
  }

  /** The timestamp retention and time lookups use: the batch's max, else the write time. */
  public long effectiveTimestamp() {
    return hasOffsets() ? maxTimestamp : timestamp;
  }
}
