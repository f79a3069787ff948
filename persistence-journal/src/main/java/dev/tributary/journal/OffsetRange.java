package dev.tributary.journal;

/**
 * Implemented by an event class that is a record batch, so the journal can index it by record
 * offset and timestamp without deserializing it.
 *
 * <p>The journal reads these values once, on the writing thread, when the event is persisted and
 * stores them in the entry header beside the serialized payload. Offsets must increase from one
 * entry to the next within a persistence id.
 */
public interface OffsetRange {

  /** Offset of the first record in this batch. */
  long baseOffset();

  /** Number of records in this batch (at least 1). */
  int recordCount();

  /** Largest record timestamp in this batch, epoch milliseconds. */
  long maxTimestamp();

  /** Leader epoch under which the batch was appended; 0 until replication exists. */
  default int leaderEpoch() {
    return 0;
  }
}
