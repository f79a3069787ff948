package dev.tributary.journal.segment;

import java.util.List;

/**
 * What a write must be to follow a log: rising sequence numbers above the highest stored, base
 * offsets at or above the log end, and every entry within {@code max-entry-bytes}. A write that
 * is not fails alone; the writes queued with it go on.
 *
 * <p>Threading: pure functions; any thread (the log checks on its serial queue, against the
 * state the writes before it in the same group commit leave).
 */
final class AppendValidator {

  private AppendValidator() {}

  /**
   * Why {@code entries} cannot follow a log whose highest sequence number is {@code
   * previousSequenceNr} and whose next offset is {@code nextOffset} (-1: none yet), or null if
   * they can.
   */
  static String problem(String persistenceId, List<JournalEntry> entries, long previousSequenceNr,
      long nextOffset, int maxEntryBytes) {
    long sequenceNr = previousSequenceNr;
    long offset = nextOffset;
    for (JournalEntry e : entries) {
      if (e.sequenceNr() <= sequenceNr) {
        return "log " + persistenceId + ": sequence number " + e.sequenceNr()
            + " is not above the highest stored, " + sequenceNr;
      }
      sequenceNr = e.sequenceNr();
      if (e.hasOffsets()) {
        if (offset >= 0 && e.offsets().baseOffset() < offset) {
          return "log " + persistenceId + ": base offset " + e.offsets().baseOffset()
              + " is below the log end offset " + offset;
        }
        offset = e.offsets().nextOffset();
      }
      if (EntryCodec.encodedSize(e) > maxEntryBytes) {
        return "log " + persistenceId + ": an entry of " + EntryCodec.encodedSize(e)
            + " bytes is over max-entry-bytes (" + maxEntryBytes + ")";
      }
    }
    return null;
  }
}
