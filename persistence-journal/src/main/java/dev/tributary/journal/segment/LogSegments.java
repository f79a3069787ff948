package dev.tributary.journal.segment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The ordered segments of one log, oldest first, the last one active (the one written to), as
 * Kafka's {@code LogSegments}. Copy-on-write: a value never changes; {@link #adding} and
 * {@link #removing} return a new one, which the log publishes through a volatile field.
 *
 * <p>Threading: immutable, so any thread; only {@link #closeAll} and {@link #closeAllCleanly}
 * touch files, on the log's serial queue. A reader takes the log's current value once and sees
 * one consistent set of segments for its whole read, even while the serial queue rolls the log or
 * deletes old segments. (The segments themselves are shared: see {@link Segment} for who may
 * write them.)
 */
final class LogSegments {

  static final LogSegments EMPTY = new LogSegments(List.of());

  private final List<Segment> segments;

  private LogSegments(List<Segment> segments) {
    this.segments = segments;
  }

  /** The segments in {@code ordered}, which must be in base sequence number order. */
  static LogSegments of(List<Segment> ordered) {
    for (int i = 1; i < ordered.size(); i++) {
      if (ordered.get(i).baseSequenceNr() <= ordered.get(i - 1).baseSequenceNr()) {
        throw new IllegalArgumentException("segments out of order: " + ordered.get(i - 1).file()
            + " before " + ordered.get(i).file());
      }
    }
    return new LogSegments(List.copyOf(ordered));
  }

  /** All segments, oldest first (immutable). */
  List<Segment> all() {
    return segments;
  }

  /** The sealed segments: all but the active one (immutable). */
  List<Segment> sealed() {
    return segments.isEmpty() ? List.of() : segments.subList(0, segments.size() - 1);
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  int count() {
    return segments.size();
  }

  /** The segment written to, or null while the log has none. */
  Segment active() {
    return segments.isEmpty() ? null : segments.get(segments.size() - 1);
  }

  /** These segments and {@code created}, which becomes the active one. */
  LogSegments adding(Segment created) {
    Segment last = active();
    if (last != null && created.baseSequenceNr() <= last.baseSequenceNr()) {
      throw new IllegalArgumentException("segment " + created.file() + " does not follow "
          + last.file());
    }
    List<Segment> next = new ArrayList<>(segments);
    next.add(created);
    return new LogSegments(List.copyOf(next));
  }

  /** These segments without {@code removed}. */
  LogSegments removing(Collection<Segment> removed) {
    if (removed.isEmpty()) {
      return this;
    }
    List<Segment> next = new ArrayList<>(segments);
    next.removeAll(removed);
    return new LogSegments(List.copyOf(next));
  }

  /**
   * The segments from the one holding {@code offset} on: from the last whose first offset is at
   * most {@code offset} (from the first segment when none is).
   */
  List<Segment> fromOffset(long offset) {
    int low = 0;
    int high = segments.size() - 1;
    int found = 0;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (segments.get(mid).index().firstOffset() <= offset) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return segments.subList(Math.min(found, segments.size()), segments.size());
  }

  /**
   * The segments from the one holding {@code sequenceNr} on: from the last whose base sequence
   * number is at most {@code sequenceNr} (from the first segment when none is).
   */
  List<Segment> fromSequenceNr(long sequenceNr) {
    int low = 0;
    int high = segments.size() - 1;
    int found = 0;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (segments.get(mid).baseSequenceNr() <= sequenceNr) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return segments.subList(Math.min(found, segments.size()), segments.size());
  }

  /** Bytes of whole entries in all segments. */
  long totalBytes() {
    return segments.stream().mapToLong(Segment::size).sum();
  }

  /** The offset after the last record batch, or -1 when no segment holds one. */
  long endOffset() {
    for (int i = segments.size() - 1; i >= 0; i--) {
      long next = segments.get(i).index().nextOffset();
      if (next >= 0) {
        return next;
      }
    }
    return -1;
  }

  /**
   * The first readable offset: the first batch above {@code deletedToSequenceNr}, else the end
   * offset. Reads the segment that holds it.
   */
  long startOffset(long deletedToSequenceNr, int maxEntryBytes) throws IOException {
    for (Segment segment : segments) {
      OptionalLong first = segment.firstOffsetAfterSequenceNr(deletedToSequenceNr, maxEntryBytes);
      if (first.isPresent()) {
        return first.getAsLong();
      }
    }
    return endOffset();
  }

  /** Closes every segment's file. Serial queue only. */
  void closeAll() throws IOException {
    for (Segment s : segments) {
      s.close();
    }
  }

  /**
   * Closes every segment's file, first flushing the active one and writing its index, as a clean
   * shutdown does (sealed segments wrote theirs when they were sealed). Serial queue only.
   */
  void closeAllCleanly() throws IOException {
    for (Segment s : sealed()) {
      s.close();
    }
    Segment active = active();
    if (active != null) {
      active.closeCleanly();
    }
  }

  /** The header of the newest record batch, if any segment holds one. */
  Optional<EntryHeader> lastBatchHeader() {
    for (int i = segments.size() - 1; i >= 0; i--) {
      Optional<EntryHeader> last = segments.get(i).index().lastBatchHeader();
      if (last.isPresent()) {
        return last;
      }
    }
    return Optional.empty();
  }
}
