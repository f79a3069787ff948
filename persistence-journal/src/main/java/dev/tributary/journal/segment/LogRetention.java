package dev.tributary.journal.segment;

import java.util.ArrayList;
import java.util.List;

/**
 * Which segments a log may delete: whole sealed segments only, oldest first, never the active
 * one. Decides, deletes nothing: the log removes what it is given (files, producer snapshots
 * below the new log start) on its serial queue.
 *
 * <p>Threading: pure functions over an immutable {@link LogSegments}; any thread.
 */
final class LogRetention {

  private LogRetention() {}

  /**
   * The oldest sealed segments that {@code policy} no longer keeps at {@code nowMillis}: each
   * while it is older than the retention time (by its largest record timestamp) or while the
   * segments after it would still reach the retention size.
   */
  static List<Segment> expired(LogSegments segments, RetentionPolicy policy, long nowMillis) {
    long total = segments.totalBytes();
    List<Segment> removable = new ArrayList<>();
    for (Segment s : segments.sealed()) {
      boolean tooOld = policy.retentionMillis() >= 0
          && nowMillis - s.index().maxTimestamp() > policy.retentionMillis();
      boolean tooBig = policy.retentionBytes() >= 0 && total - s.size() >= policy.retentionBytes();
      if (!tooOld && !tooBig) {
        break;
      }
      removable.add(s);
      total -= s.size();
    }
    return removable;
  }

  /**
   * The oldest sealed segments whose entries are all at or below {@code deletedToSequenceNr}:
   * what a deletion up to it frees.
   */
  static List<Segment> deletedBy(LogSegments segments, long deletedToSequenceNr) {
    return oldestWhile(segments, s -> s.index().lastSequenceNr() <= deletedToSequenceNr);
  }

  /**
   * The oldest sealed segments whose records are all below {@code offset}: what moving the log
   * start up to it frees (Kafka's {@code DeleteRecords}, here by whole segments, so the log
   * starts at or below {@code offset}).
   */
  static List<Segment> below(LogSegments segments, long offset) {
    return oldestWhile(segments, s -> s.index().nextOffset() <= offset);
  }

  /** The sealed segments from the oldest on, as long as each passes {@code removable}. */
  private static List<Segment> oldestWhile(LogSegments segments, java.util.function.Predicate<Segment> removable) {
    List<Segment> result = new ArrayList<>();
    for (Segment s : segments.sealed()) {
      if (!removable.test(s)) {
        break;
      }
      result.add(s);
    }
    return result;
  }
}
