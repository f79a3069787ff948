package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader epochs of one {@link SegmentedLog} ({@link LeaderEpochCache}) and their checkpoint
 * file: loaded by {@link LeaderEpochLoader}, added on append, cut at the start by retention and at
 * the end by truncation ({@link LogTruncator}, which writes the truncated checkpoint itself).
 *
 * <p>Threading: the log's serial queue only.
 */
final class LogEpochs {

  private static final Logger log = LoggerFactory.getLogger(LogEpochs.class);

  private final String persistenceId;
  private final Path dir;
  private LeaderEpochCache cache = new LeaderEpochCache();
  /** Whether {@link #appended} added an epoch since the last {@link #checkpointIfAdded}. */
  private boolean added;

  LogEpochs(String persistenceId, Path dir) {
    this.persistenceId = persistenceId;
    this.dir = dir;
  }

  /** Loads the epochs of a recovered log: its checkpoint, or a rebuild from its batches. */
  void load(LogSegments segments, long logStartOffset, long logEndOffset, int maxEntryBytes) throws IOException {
    cache = LeaderEpochLoader.load(persistenceId, dir, segments, logStartOffset, logEndOffset, maxEntryBytes);
  }

  /**
   * Adds the epochs that an accepted write starts, as Kafka's append path does; then
   * {@link #checkpointIfAdded} writes the checkpoint when one did (rarely: once per leader epoch).
   */
  void appended(List<JournalEntry> entries) {
    for (JournalEntry e : entries) {
      if (!e.hasOffsets()) {
        continue;
      }
      switch (cache.assign(e.offsets().leaderEpoch(), e.offsets().baseOffset())) {
        case ADDED -> added = true;
        case IGNORED_LOWER -> log.warn("Log {}: the batch at offset {} has leader epoch {}, below"
                + " the latest {}; its epoch is not cached (the writer should not append it)",
            persistenceId, e.offsets().baseOffset(), e.offsets().leaderEpoch(),
            cache.latestEpoch().orElse(-1));
        case UNCHANGED -> { }
      }
    }
  }

  /**
   * Writes the checkpoint if {@link #appended} added an epoch. A failed checkpoint write does not
   * fail the appends, which are stored: the next open sees the log's newer epoch and rebuilds.
   */
  void checkpointIfAdded() {
    if (added) {
      added = false;
      LeaderEpochLoader.writeQuietly(persistenceId, dir, cache);
    }
  }

  /** Retention moved the log start to {@code logStartOffset}: epochs wholly below it go. */
  void startAt(long logStartOffset) {
    if (cache.truncateFromStart(logStartOffset)) {
      LeaderEpochLoader.writeQuietly(persistenceId, dir, cache);
    }
  }

  /** The epochs as they are; truncation copies them to cut the copy. */
  LeaderEpochCache cache() {
    return cache;
  }

  /** The truncated log is published: {@code truncated} (whose checkpoint is written) replaces the epochs. */
  void replace(LeaderEpochCache truncated) {
    cache = truncated;
  }

  List<EpochEntry> entries() {
    return cache.entries();
  }

  OptionalInt latestEpoch() {
    return cache.latestEpoch();
  }

  EpochEndOffset endOffsetFor(int epoch, long logEndOffset) {
    return cache.endOffsetFor(epoch, logEndOffset);
  }
}
