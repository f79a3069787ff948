package dev.tributary.journal.segment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The lock-free reads of one {@link SegmentedLog}: raw record batches and timestamp lookups,
 * against the {@link LogSegments} value and offsets the log has published when they start, seeing
 * only whole, published entries and never past the log end. A read that a truncation breaks says
 * so ({@link LogTruncator#readAcross}). Also the replay of entries by sequence number.
 *
 * <p>Threading: any thread, the log recovered; {@link #replay} on the log's serial queue only.
 */
final class LogReader {

  private static final int REPLAY_CHUNK_BYTES = 1024 * 1024;

  private final SegmentedLog log;
  private final LogTruncator truncator;
  private final int maxEntryBytes;
  private final Function<IOException, LogTruncatedException> truncatedUnderRead;

  LogReader(SegmentedLog log, LogTruncator truncator, int maxEntryBytes,
      Function<IOException, LogTruncatedException> truncatedUnderRead) {
    this.log = log;
    this.truncator = truncator;
    this.maxEntryBytes = maxEntryBytes;
    this.truncatedUnderRead = truncatedUnderRead;
  }

  /**
   * Reads stored record batches from the one containing {@code fromOffset}, whole entries only,
   * stopping before {@code maxOffsetExclusive} or when the next batch would pass {@code maxBytes}
   * of payload (at least one batch is returned when there is one).
   *
   * @throws OffsetOutOfRangeException when {@code fromOffset} is before the log start or after
   *     the log end
   */
  List<RawBatch> readRaw(long fromOffset, long maxOffsetExclusive, int maxBytes) throws IOException {
    return truncator.readAcross(3, () -> tryReadRaw(fromOffset, maxOffsetExclusive, maxBytes), truncatedUnderRead);
  }

  private List<RawBatch> tryReadRaw(long fromOffset, long maxOffsetExclusive, int maxBytes)
      throws IOException {
    LogSegments current = log.segments();
    long start = log.logStartOffset();
    long end = log.logEndOffset();
    if (end < 0 && fromOffset == 0) {
      return List.of(); // an empty log: offset 0 is its end
    }
    if (fromOffset < start || fromOffset > end) {
      throw new OffsetOutOfRangeException(fromOffset, start, end);
    }
    // Never past the log end: a failed write may have left entries after it.
    long limit = Math.min(maxOffsetExclusive, end);
    long deletedTo = log.deletedToSequenceNr();
    List<RawBatch> result = new ArrayList<>();
    long bytes = 0;
    for (Segment segment : current.fromOffset(fromOffset)) {
      Segment.Read read = segment.read(fromOffset, limit, Math.max(0, maxBytes - bytes),
          result.isEmpty(), deletedTo, maxEntryBytes);
      result.addAll(read.batches());
      bytes += read.bytes();
      if (read.limitReached()) {
        break;
      }
    }
    return result;
  }

  /**
   * Calls {@code callback} on this thread for each entry with {@code first <= seq <= last}, up to
   * {@code max} entries; {@code first} is past the deleted ones.
   */
  void replay(long first, long last, long max, Consumer<JournalEntry> callback) throws IOException {
    long delivered = 0;
    for (Segment segment : log.segments().fromSequenceNr(first)) {
      if (delivered >= max || segment.baseSequenceNr() > last) {
        break;
      }
      delivered += segment.replay(first, last, max - delivered, callback, REPLAY_CHUNK_BYTES, maxEntryBytes);
    }
  }

  /** The first offset whose batch has a max timestamp of at least {@code timestamp}. */
  OptionalLong offsetForTimestamp(long timestamp) throws IOException {
    return truncator.readAcross(1, () -> tryOffsetForTimestamp(timestamp), truncatedUnderRead);
  }

  private OptionalLong tryOffsetForTimestamp(long timestamp) throws IOException {
    long deletedTo = log.deletedToSequenceNr();
    long end = log.logEndOffset();
    for (Segment segment : log.segments().all()) {
      if (segment.index().firstOffset() >= end) {
        break; // never past the log end, as in readRaw
      }
      OptionalLong found =
          segment.offsetForTimestamp(timestamp, end, deletedTo, maxEntryBytes);
      if (found.isPresent()) {
        return OptionalLong.of(Math.max(found.getAsLong(), log.logStartOffset()));
      }
    }
    return OptionalLong.empty();
  }
}
