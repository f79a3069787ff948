package dev.tributary.journal.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The leader epochs of one log, as Kafka's {@code LeaderEpochFileCache}: the ordered list of
 * (epoch, start offset), the first offset written in each epoch. Epochs and start offsets both
 * strictly increase. In memory only; the log writes it out with {@link LeaderEpochCheckpointFile}
 * whenever a method here says it changed, and rebuilds it from the log when that file is missing
 * or does not match ({@link LeaderEpochLoader}).
 *
 * <p>Threading: not thread-safe; the log's serial queue owns it.
 */
final class LeaderEpochCache {

  private final List<EpochEntry> entries;

  LeaderEpochCache() {
    this.entries = new ArrayList<>();
  }

  /** A cache holding {@code entries}, which must already be in order (as a checkpoint is). */
  LeaderEpochCache(List<EpochEntry> entries) {
    String problem = orderProblem(entries);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    this.entries = new ArrayList<>(entries);
  }

  /** Why {@code entries} are not a valid cache (epochs and offsets must rise), or null. */
  static String orderProblem(List<EpochEntry> entries) {
    for (int i = 1; i < entries.size(); i++) {
      EpochEntry before = entries.get(i - 1);
      EpochEntry after = entries.get(i);
      if (after.epoch() <= before.epoch() || after.startOffset() <= before.startOffset()) {
        return "leader epochs out of order: " + before + " before " + after;
      }
    }
    return null;
  }

  /** What {@link #assign} did. */
  enum Assignment {
    /** A new epoch: the cache changed. */
    ADDED,
    /** The latest epoch again (or an epoch below 0, which is none): nothing to do. */
    UNCHANGED,
    /** An epoch below the latest: a caller bug, ignored (the log warns). */
    IGNORED_LOWER
  }

  /**
   * Records a batch of {@code epoch} appended at {@code baseOffset}: a new entry when the epoch is
   * above the latest, as Kafka's append path does ({@code latestEpoch < batch epoch}). Negative
   * epochs (Kafka's "no epoch") are not cached.
   */
  Assignment assign(int epoch, long baseOffset) {
    if (epoch < 0) {
      return Assignment.UNCHANGED;
    }
    OptionalInt latest = latestEpoch();
    if (latest.isPresent() && epoch == latest.getAsInt()) {
      return Assignment.UNCHANGED;
    }
    if (latest.isPresent() && epoch < latest.getAsInt()) {
      return Assignment.IGNORED_LOWER;
    }
    if (!entries.isEmpty() && baseOffset <= entries.get(entries.size() - 1).startOffset()) {
      // A new epoch cannot start at or before the previous one's start: the log refuses such
      // offsets before they reach here, so this is a bug in the caller too.
      return Assignment.IGNORED_LOWER;
    }
    entries.add(new EpochEntry(epoch, baseOffset));
    return Assignment.ADDED;
  }

  /** The latest epoch, if any. */
  OptionalInt latestEpoch() {
    return entries.isEmpty()
        ? OptionalInt.empty()
        : OptionalInt.of(entries.get(entries.size() - 1).epoch());
  }

  /** The entries, oldest first (a copy). */
  List<EpochEntry> entries() {
    return List.copyOf(entries);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /**
   * Kafka's {@code endOffsetFor}, answered the way Kafka answers it:
   * <ul>
   *   <li>the latest epoch: it and {@code logEndOffset} (the epoch is still being written);
   *   <li>an epoch with a higher one after it: the largest cached epoch at or below it, and the
   *       start offset of the first cached epoch above it;
   *   <li>below the earliest cached epoch: the requested epoch and the earliest epoch's start
   *       offset (the log no longer holds what came before; a follower truncates there and
   *       replicates on from the start);
   *   <li>above the latest, an empty cache, or a negative epoch: {@link EpochEndOffset#UNDEFINED}.
   * </ul>
   */
  EpochEndOffset endOffsetFor(int requestedEpoch, long logEndOffset) {
    if (requestedEpoch < 0 || entries.isEmpty()) {
      return EpochEndOffset.UNDEFINED;
    }
    EpochEntry latest = entries.get(entries.size() - 1);
    if (requestedEpoch == latest.epoch()) {
      return new EpochEndOffset(requestedEpoch, logEndOffset);
    }
    if (requestedEpoch > latest.epoch()) {
      return EpochEndOffset.UNDEFINED;
    }
    int higher = 0;
    while (entries.get(higher).epoch() <= requestedEpoch) {
      higher++; // ends before the latest entry, whose epoch is above the requested one
    }
    long end = entries.get(higher).startOffset();
    return higher == 0
        ? new EpochEndOffset(requestedEpoch, end)
        : new EpochEndOffset(entries.get(higher - 1).epoch(), end);
  }

  /**
   * Drops the epochs that start at or after {@code endOffset}, the log's new end after a
   * truncation (Kafka's {@code truncateFromEnd}). Returns whether the cache changed.
   */
  boolean truncateFromEnd(long endOffset) {
    boolean changed = false;
    while (!entries.isEmpty() && entries.get(entries.size() - 1).startOffset() >= endOffset) {
      entries.remove(entries.size() - 1);
      changed = true;
    }
    return changed;
  }

  /**
   * Drops the epochs wholly below {@code startOffset}, the log's new start after retention, and
   * moves the start of the epoch that holds it up to it (Kafka's {@code truncateFromStart}).
   * Returns whether the cache changed.
   */
  boolean truncateFromStart(long startOffset) {
    int covering = -1; // the last entry starting at or below the new start
    for (int i = 0; i < entries.size() && entries.get(i).startOffset() <= startOffset; i++) {
      covering = i;
    }
    if (covering < 0 || (covering == 0 && entries.get(0).startOffset() == startOffset)) {
      return false;
    }
    int epoch = entries.get(covering).epoch();
    entries.subList(0, covering + 1).clear();
    entries.add(0, new EpochEntry(epoch, startOffset));
    return true;
  }

  /** Forgets every epoch (a log emptied by truncation). Returns whether the cache changed. */
  boolean clear() {
    boolean changed = !entries.isEmpty();
    entries.clear();
    return changed;
  }
}
