package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Truncation of one {@link SegmentedLog}'s tail ({@link SegmentedLog#truncateTo}): the plan and
 * the file work with its redo record ({@link LogTruncation}), the segments and leader epochs the
 * log publishes after it, and the sequence lock that lets a read failing during or across a
 * truncation say so.
 *
 * <p>Threading: {@link #truncate} and {@link #published} run on the log's serial queue;
 * {@link #readAcross} runs on the reading thread, any thread.
 */
final class LogTruncator {

  private static final Logger log = LoggerFactory.getLogger(LogTruncator.class);

  private final String persistenceId;
  private final Path dir;
  private final StorageConfig config;
  private final FileOps fileOps;
  private final RetiredSegments retired;
  /**
   * Counts truncations as a sequence lock: odd while one changes files, even otherwise, so a read
   * that fails during or across one says so. Written on the serial queue, read from any thread.
   */
  private volatile long truncations;

  /** What a truncation left, for the log to publish before it calls {@link #published}. */
  record Truncated(LogSegments segments, LeaderEpochCache epochs, long highestSequenceNr, long logEndOffset,
      boolean empties, List<Segment> replaced) {}

  /** A read of the log's files. */
  interface Read<T> {
    T read() throws IOException;
  }

  LogTruncator(String persistenceId, Path dir, StorageConfig config, FileOps fileOps, RetiredSegments retired) {
    this.persistenceId = persistenceId;
    this.dir = dir;
    this.config = config;
    this.fileOps = fileOps;
    this.retired = retired;
  }

  /**
   * Removes the tail of {@code segments} from the batch that holds {@code offset}, durably, and
   * returns what is left; the log publishes nothing of it until then. If the plan fails nothing
   * has changed; if the file work fails, {@code goOffline} says so and the next open finishes it.
   */
  Truncated truncate(LogSegments segments, long offset, long logStartOffset, long deletedToSequenceNr,
      LeaderEpochCache epochs, Function<Throwable, LogOfflineException> goOffline) throws IOException {
    // Only reads: if it fails, nothing has changed and the log stays writable.
    LogTruncation.Outcome outcome = LogTruncation.plan(segments, offset, logStartOffset,
        deletedToSequenceNr, config.indexIntervalBytes(), config.maxEntryBytes());
    LeaderEpochCache truncatedEpochs = new LeaderEpochCache(epochs.entries());
    if (outcome.empties()) {
      truncatedEpochs.clear();
    } else {
      truncatedEpochs.truncateFromEnd(outcome.logEndOffset());
    }
    Segment reopened = null;
    truncations++; // odd: files are changing under readers
    try {
      LogTruncation.writeRecord(dir, outcome.plan());
      LogTruncation.apply(dir, outcome.plan(), fileOps);
      if (outcome.cut() != null) {
        reopened = Segment.open(dir, outcome.cut().baseSequenceNr(), outcome.cutIndex(),
            outcome.plan().keepBytes(), fileOps);
      }
      ProducerSnapshotFiles.deleteAbove(dir, outcome.empties() ? -1 : outcome.logEndOffset());
      // Not quietly: a checkpoint naming epochs past the new end, and then new writes in them,
      // would pass the checks at the next open. Failing here leaves the redo record, so the
      // next open truncates again and checks the checkpoint against the truncated log.
      LeaderEpochCheckpointFile.write(dir, truncatedEpochs.entries());
      LogTruncation.deleteRecord(dir);
    } catch (IOException | RuntimeException e) {
      if (reopened != null) {
        retired.closeQuietly(reopened);
      }
      throw goOffline.apply(e);
    }
    List<Segment> kept = new ArrayList<>(segments.all());
    kept.removeAll(outcome.removed());
    if (outcome.cut() != null) {
      kept.set(kept.indexOf(outcome.cut()), reopened);
    }
    List<Segment> replaced = new ArrayList<>(outcome.removed());
    if (outcome.cut() != null) {
      replaced.add(outcome.cut());
    }
    return new Truncated(LogSegments.of(kept), truncatedEpochs, outcome.highestSequenceNr(),
        outcome.logEndOffset(), outcome.empties(), replaced);
  }

  /** The log published {@code truncated} (asked for at {@code offset}): readers may go on. */
  void published(Truncated truncated, long offset) {
    truncations++; // even: the truncated log is published
    retired.closeLater(truncated.replaced()); // readers may still hold them
    log.info("Log {}: truncated to offset {} (asked for {}); highest sequence number now {}",
        persistenceId, truncated.logEndOffset(), offset, truncated.highestSequenceNr());
  }

  /**
   * Runs {@code read}, up to {@code attempts} times while a segment's file is closed under it;
   * when it fails because a truncation was under way or ran since it started, throws
   * {@code truncated} of the failure instead ("corrupt" or "closed" would be wrong).
   */
  <T> T readAcross(int attempts, Read<T> read, Function<IOException, LogTruncatedException> truncated)
      throws IOException {
    for (int attempt = 0; ; attempt++) {
      long truncationsBefore = truncations;
      try {
        return read.read();
      } catch (ClosedChannelException e) {
        if (truncatedSince(truncationsBefore)) {
          throw truncated.apply(e);
        }
        if (attempt >= attempts - 1) {
          throw e; // the segment went away under us each time: let the caller retry
        }
      } catch (IOException e) {
        if (truncatedSince(truncationsBefore)) {
          throw truncated.apply(e);
        }
        throw e;
      }
    }
  }

  /** Whether a truncation was under way when {@code before} was read of it, or ran since. */
  private boolean truncatedSince(long before) {
    return (before & 1) == 1 || truncations != before;
  }
}
