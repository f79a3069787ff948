package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a log's leader-epoch cache when the log opens: from its checkpoint file when that matches
 * the log, else rebuilt from the entry headers of every segment (no payload is deserialized) and
 * written out again, with one log line saying why.
 *
 * <p>"Matches" is what can be checked without a scan: the latest epoch starts below the log end
 * (a crash can lose the tail a checkpoint already names), and the log's last batch is not of a
 * newer epoch than the latest cached (a checkpoint write that failed). A first epoch that starts
 * below the log start (retention deleted segments, then a crash before the checkpoint followed) is
 * moved up, as Kafka does at load, without a rebuild.
 *
 * <p>Threading: the log's recovery, on its serial queue; blocking file I/O.
 */
final class LeaderEpochLoader {

  private static final Logger log = LoggerFactory.getLogger(LeaderEpochLoader.class);
  private static final int SCAN_CHUNK_BYTES = 1024 * 1024;

  private LeaderEpochLoader() {}

  static LeaderEpochCache load(String persistenceId, Path dir, LogSegments segments,
      long logStartOffset, long logEndOffset, int maxEntryBytes) throws IOException {
    Optional<EntryHeader> lastBatch = segments.lastBatchHeader();
    String problem;
    try {
      Optional<List<EpochEntry>> stored = LeaderEpochCheckpointFile.read(dir);
      if (stored.isPresent()) {
        LeaderEpochCache cache = new LeaderEpochCache(stored.get());
        problem = mismatch(cache, lastBatch, logEndOffset);
        if (problem == null) {
          if (logStartOffset >= 0 && cache.truncateFromStart(logStartOffset)) {
            writeQuietly(persistenceId, dir, cache);
          }
          return cache;
        }
      } else if (lastBatch.isEmpty()) {
        return new LeaderEpochCache(); // a log without batches has no epochs to lose
      } else {
        problem = "it is missing";
      }
    } catch (IOException e) {
      problem = "it cannot be read: " + e.getMessage();
    }
    LeaderEpochCache rebuilt = rebuild(segments, maxEntryBytes);
    if (logStartOffset >= 0) {
      rebuilt.truncateFromStart(logStartOffset);
    }
    log.info("Log {}: rebuilt its leader-epoch cache from the log's entry headers ({} epochs), as"
        + " its checkpoint did not match the log: {}", persistenceId, rebuilt.entries().size(), problem);
    writeQuietly(persistenceId, dir, rebuilt);
    return rebuilt;
  }

  /** Why the stored cache does not describe the log, or null when it may. */
  private static String mismatch(LeaderEpochCache cache, Optional<EntryHeader> lastBatch,
      long logEndOffset) {
    List<EpochEntry> entries = cache.entries();
    if (!entries.isEmpty()) {
      EpochEntry latest = entries.get(entries.size() - 1);
      if (latest.startOffset() >= logEndOffset) {
        return "its latest epoch " + latest.epoch() + " starts at offset " + latest.startOffset()
            + ", not below the log end " + logEndOffset;
      }
    }
    if (lastBatch.isPresent() && lastBatch.get().leaderEpoch() >= 0
        && (cache.latestEpoch().isEmpty()
            || lastBatch.get().leaderEpoch() > cache.latestEpoch().getAsInt())) {
      return "the log's last batch is of epoch " + lastBatch.get().leaderEpoch()
          + ", newer than its latest epoch ("
          + (cache.latestEpoch().isPresent() ? cache.latestEpoch().getAsInt() : "none") + ")";
    }
    return null;
  }

  /**
   * The cache as appending every stored batch again would build it. Reads headers only, and only
   * two of them when the first and last batch are of the same epoch: epochs never go down in a
   * log (a lower one is not cached), so every batch between is of that epoch too. That keeps the
   * first open of a log written before the cache existed (all of epoch 0) from reading it all.
   */
  static LeaderEpochCache rebuild(LogSegments segments, int maxEntryBytes) throws IOException {
    LeaderEpochCache cache = new LeaderEpochCache();
    Optional<EntryHeader> first = firstBatchHeader(segments, maxEntryBytes);
    Optional<EntryHeader> last = segments.lastBatchHeader();
    if (first.isEmpty() || last.isEmpty()) {
      return cache;
    }
    if (first.get().leaderEpoch() == last.get().leaderEpoch()) {
      cache.assign(first.get().leaderEpoch(), first.get().baseOffset());
      return cache;
    }
    for (Segment segment : segments.all()) {
      if (segment.index().firstOffset() < 0) {
        continue; // no batch in it
      }
      SegmentCursor cursor = new SegmentCursor(segment, 0, SCAN_CHUNK_BYTES, maxEntryBytes);
      while (cursor.next()) {
        EntryHeader h = cursor.header();
        if (h.hasOffsets()) {
          cache.assign(h.leaderEpoch(), h.baseOffset());
        }
      }
    }
    return cache;
  }

  private static Optional<EntryHeader> firstBatchHeader(LogSegments segments, int maxEntryBytes)
      throws IOException {
    for (Segment segment : segments.all()) {
      if (segment.index().firstOffset() < 0) {
        continue;
      }
      SegmentCursor cursor = new SegmentCursor(
          segment, segment.index().positionForOffset(segment.index().firstOffset()),
          Segment.SCAN_CHUNK_BYTES, maxEntryBytes);
      while (cursor.next()) {
        if (cursor.header().hasOffsets()) {
          return Optional.of(cursor.header());
        }
      }
    }
    return Optional.empty();
  }

  /** Writes the cache; a failure only costs a rebuild at the next open. */
  static void writeQuietly(String persistenceId, Path dir, LeaderEpochCache cache) {
    try {
      LeaderEpochCheckpointFile.write(dir, cache.entries());
    } catch (IOException e) {
      log.warn("Log {}: could not write its leader-epoch checkpoint ({}); it is rebuilt from the log"
          + " at the next open", persistenceId, Segment.describe(e));
    }
  }
}
