package dev.tributary.journal.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segmented log storage engine: one {@link SegmentedLog} per persistence id under one root
 * directory, opened (and recovered) on first use.
 *
 * <p>All methods are thread-safe and never block the caller: file work runs on the given I/O
 * executor, serially per persistence id. Futures complete on I/O threads, so callers should not do
 * heavy work in their callbacks.
 *
 * <p>A log whose write or fsync fails goes offline on its own ({@link LogOfflineException}); the
 * others carry on. Reads of an offline log keep working; {@link #reopenIfOffline} opens it again.
 */
public final class StorageEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(StorageEngine.class);

  private final StorageConfig config;
  private final Clock clock;
  private final Executor ioExecutor;
  private final ScheduledExecutorService scheduler;
  private final FileOps fileOps;
  private final ConcurrentHashMap<String, SegmentedLog> logs = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param ioExecutor runs all blocking file I/O; a dedicated pool, never an actor dispatcher
   * @param clock the time source for segment age and retention
   */
  public StorageEngine(StorageConfig config, Executor ioExecutor, Clock clock) {
    this(config, ioExecutor, clock, FileOps.DIRECT);
  }

  /**
   * An engine whose segment writes, fsyncs and truncations go through {@code fileOps}: tests use
   * it to make them fail as a full or broken disk would.
   */
  public StorageEngine(StorageConfig config, Executor ioExecutor, Clock clock, FileOps fileOps) {
    this.config = config;
    this.fileOps = fileOps;
    this.ioExecutor = ioExecutor;
    this.clock = clock;
    try {
      Files.createDirectories(config.root());
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the journal directory " + config.root() + ": check the path and permissions", e);
    }
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(r -> {
          Thread t = new Thread(r, "tributary-journal-scheduler");
          t.setDaemon(true);
          return t;
        });
    if (config.fsync() == FsyncPolicy.INTERVAL) {
      long ms = config.fsyncInterval().toMillis();
      scheduler.scheduleWithFixedDelay(this::flushDirtyLogs, ms, ms, TimeUnit.MILLISECONDS);
    }
    long retentionMs = config.retentionCheckInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::enforceAllRetention, retentionMs, retentionMs, TimeUnit.MILLISECONDS);
  }

  public StorageConfig config() {
    return config;
  }

  /**
   * Appends entries as one atomic write: after a crash recovery keeps all of them or none. The
   * future completes when the entries are written and, under {@code fsync = always}, on disk.
   * Sequence numbers must increase; record-batch base offsets must not go below the log end.
   */
  public CompletionStage<Void> append(String persistenceId, List<JournalEntry> entries) {
    return log(persistenceId).append(entries);
  }

  /** Delivers stored entries {@code from <= seq <= to}, at most {@code max}, on an I/O thread. */
  public CompletionStage<Void> replay(
      String persistenceId, long from, long to, long max, Consumer<JournalEntry> callback) {
    return log(persistenceId).replay(from, to, max, callback);
  }

  /** The highest sequence number written, including deleted entries; 0 for a new log. */
  public CompletionStage<Long> highestSequenceNr(String persistenceId) {
    return log(persistenceId).highestSequenceNr();
  }

  /** Deletes entries up to {@code toSequenceNr} (inclusive); the highest sequence number stays. */
  public CompletionStage<Void> deleteTo(String persistenceId, long toSequenceNr) {
    return log(persistenceId).deleteTo(toSequenceNr);
  }

  /**
   * Moves the log start up towards {@code offset}: every sealed segment whose records are all
   * below it is deleted (whole segments, so the log may still start below {@code offset}; never
   * the active segment). For a log whose owner knows its start is redundant (a group log below a
   * completed snapshot), and for a follower following its leader's log start. Completes once the
   * files are gone, with the log's new bounds.
   */
  public CompletionStage<LogInfo> deleteRecordsBelow(String persistenceId, long offset) {
    return log(persistenceId).deleteRecordsBelow(offset);
  }

  /**
   * Stored record batches from the one containing {@code fromOffset}: whole entries, payloads not
   * deserialized, at most {@code maxBytes} of payload unless the first batch alone is larger.
   * Fails with {@link OffsetOutOfRangeException} outside [log start, log end].
   */
  public CompletionStage<List<RawBatch>> readRaw(
      String persistenceId, long fromOffset, long maxOffsetExclusive, int maxBytes) {
    SegmentedLog target = log(persistenceId);
    return target.recovered().thenApplyAsync(
        ignored -> {
          try {
            return target.readRaw(fromOffset, maxOffsetExclusive, maxBytes);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        ioExecutor);
  }

  /** The first offset whose batch's max timestamp is at least {@code timestamp}, if any. */
  public CompletionStage<OptionalLong> offsetForTimestamp(String persistenceId, long timestamp) {
    SegmentedLog target = log(persistenceId);
    return target.recovered().thenApplyAsync(
        ignored -> {
          try {
            return target.offsetForTimestamp(timestamp);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        ioExecutor);
  }

  /** {@link #readRaw} from the first batch with a timestamp at least {@code timestamp}. */
  public CompletionStage<List<RawBatch>> readRawByTimestamp(
      String persistenceId, long timestamp, int maxBytes) {
    return offsetForTimestamp(persistenceId, timestamp).thenCompose(offset ->
        offset.isPresent()
            ? readRaw(persistenceId, offset.getAsLong(), Long.MAX_VALUE, maxBytes)
            : CompletableFuture.completedFuture(List.of()));
  }

  /** The log's bounds and size. */
  public CompletionStage<LogInfo> logInfo(String persistenceId) {
    return log(persistenceId).logInfo();
  }

  /**
   * Completes with the highest sequence number as soon as it is above {@code sequenceNr}; fails
   * with {@link LogTruncatedException} if the log is truncated first, or already was below {@code
   * sequenceNr} (what the caller has seen may be gone: it must read again from the new end). So
   * {@code sequenceNr} must be one the log has reached: the highest the caller read.
   */
  public CompletionStage<Long> awaitAppendAfter(String persistenceId, long sequenceNr) {
    SegmentedLog target = log(persistenceId);
    return target.recovered().thenCompose(ignored -> target.awaitAppendAfter(sequenceNr));
  }

  /**
   * Removes the log's tail from {@code offset} on, at batch granularity as Kafka's {@code
   * UnifiedLog.truncateTo}: the batch that holds {@code offset} (or, in a gap, the first above it)
   * and every entry after it go, so the log ends at a batch boundary at or below {@code offset}.
   * Completes with the new log end offset.
   *
   * <ul>
   *   <li>At or above the log end, or on a log that holds no batch: nothing changes (the stage
   *       completes with the log end, -1 for a log without batches, as in {@link LogInfo}).
   *   <li>At or below the log start (or when no batch would remain): the log is emptied, as
   *       Kafka's {@code truncateFullyAndStartAt}: every segment goes, and the log starts and
   *       ends at {@code offset} (at the base offset of the batch holding it, if that is lower)
   *       until its next batch, which must not be below it. That start survives a restart.
   * </ul>
   *
   * <p>The highest sequence number becomes the last remaining entry's (0 when none remains), so a
   * writer that restarts after the truncation continues from it; the deleted-to mark never stays
   * above it. Leader epochs starting at or above the new end and producer snapshots above it are
   * dropped (all of them when the log is emptied). Waiters of {@link #awaitAppendAfter} fail
   * with {@link LogTruncatedException}, as do raw reads that a truncation cuts short.
   *
   * <p>Runs on the log's serial queue after every write queued before it; completes once the
   * truncation is on disk (segment and directory fsynced) whatever the fsync setting. A crash
   * part-way is finished at the next open, so the log is either as before or truncated. A
   * failure takes the log offline ({@link LogOfflineException}); {@link #reopenIfOffline}
   * finishes the truncation. A negative {@code offset} fails with {@link
   * IllegalArgumentException}.
   */
  public CompletionStage<Long> truncateTo(String persistenceId, long offset) {
    if (offset < 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("log " + persistenceId
          + ": cannot truncate to offset " + offset + "; pass an offset of 0 or more (0 empties the log)"));
    }
    return log(persistenceId).truncateTo(offset);
  }

  /**
   * The log's leader epochs and the first offset of each, oldest first (Kafka's leader-epoch
   * cache): maintained on append, cut by truncation and retention, kept in the log's {@value
   * LogFiles#LEADER_EPOCH_CHECKPOINT} file. Runs on the log's serial queue.
   */
  public CompletionStage<List<EpochEntry>> leaderEpochs(String persistenceId) {
    return log(persistenceId).leaderEpochs();
  }

  /** The log's latest leader epoch, empty when it holds no batch of an epoch. Serial queue. */
  public CompletionStage<OptionalInt> latestEpoch(String persistenceId) {
    return log(persistenceId).latestEpoch();
  }

  /**
   * Where {@code epoch} ends in this log, with Kafka's {@code OffsetsForLeaderEpoch} answers: for
   * the latest epoch, it and the log end offset; for an older one, the largest cached epoch at or
   * below it and the start offset of the next cached epoch; below the earliest cached epoch, the
   * requested epoch and the earliest epoch's start offset (what the log holds begins there);
   * above the latest, with no epochs, or for a negative epoch, {@link EpochEndOffset#UNDEFINED}
   * (-1, -1). Runs on the log's serial queue, after every write queued before it.
   */
  public CompletionStage<EpochEndOffset> endOffsetForEpoch(String persistenceId, int epoch) {
    return log(persistenceId).endOffsetForEpoch(epoch);
  }

  /** Sets the retention policy of one log; checked every {@code retention-check-interval}. */
  public void setRetention(String persistenceId, RetentionPolicy policy) {
    log(persistenceId).setRetention(policy);
  }

  /**
   * Rolls one log's segments at {@code bytes} (at least one entry per segment) instead of the
   * engine's {@code segment-bytes}; -1 goes back to the engine's. Applies from the next write.
   */
  public void setSegmentBytes(String persistenceId, long bytes) {
    log(persistenceId).setSegmentBytes(bytes);
  }

  /** Applies the log's retention policy now. */
  public CompletionStage<LogInfo> enforceRetention(String persistenceId) {
    return log(persistenceId).enforceRetention();
  }

  /** Removes a log and all its files. */
  public CompletionStage<Void> deleteLog(String persistenceId) {
    SegmentedLog target = log(persistenceId);
    return target.deleteAll().whenComplete((ok, error) -> logs.remove(persistenceId, target));
  }

  /**
   * The log's properties: a small key-value record its user keeps with it (a partition stores its
   * topic id there); empty when none were set.
   */
  public CompletionStage<Map<String, String>> logProperties(String persistenceId) {
    return log(persistenceId).properties();
  }

  /** Replaces the log's properties; on disk (fsynced) when the stage completes. */
  public CompletionStage<Void> setLogProperties(String persistenceId, Map<String, String> properties) {
    return log(persistenceId).setProperties(Map.copyOf(properties));
  }

  /**
   * Sets a log aside instead of deleting it: closes it and moves its directory, whole, under
   * {@value LogFiles#QUARANTINE_DIRECTORY} in the root. The next use of the id opens a new, empty
   * log. Completes with where the files went.
   */
  public CompletionStage<Path> quarantineLog(String persistenceId) {
    SegmentedLog target = log(persistenceId);
    Path destination = LogFiles.quarantineTarget(config.root(), persistenceId, clock.millis());
    return target.moveTo(destination)
        .whenComplete((ok, error) -> logs.remove(persistenceId, target))
        .thenApply(ok -> destination);
  }

  /**
   * Why the log is offline (a write or fsync of it failed), or empty when it is writable or not
   * open. Never opens the log; no file I/O, so any thread may ask.
   */
  public Optional<String> offlineReason(String persistenceId) {
    SegmentedLog target = logs.get(persistenceId);
    return target == null ? Optional.empty() : target.offlineReason();
  }

  /**
   * If the log went offline or could not be recovered, closes it (without a clean-shutdown
   * marker) so that the next call opens it again: recovery scans the active segment, cuts what a
   * failed write left, and appends continue after the last complete write. Completes with whether
   * it closed the log; does nothing to a healthy one.
   */
  public CompletionStage<Boolean> reopenIfOffline(String persistenceId) {
    SegmentedLog target = logs.get(persistenceId);
    if (target == null || !target.failed()) {
      return CompletableFuture.completedFuture(false);
    }
    log.info("Log {}: closing it to open it again ({})", persistenceId,
        target.offlineReason().orElse("its recovery failed"));
    return target.close().handle((ok, error) -> {
      logs.remove(persistenceId, target);
      return true;
    });
  }

  /**
   * Stores a snapshot of per-log state taken at {@code offset} (every batch below it reflected,
   * none at or above it; at most the log end), named by that offset and written atomically and
   * fsynced whatever the fsync policy. The engine keeps the two newest and deletes those that fall
   * below the log start offset when retention deletes segments. The content is the caller's: the
   * engine only checks it back with a CRC. Runs on the log's serial queue, after every write queued
   * before it.
   */
  public CompletionStage<Void> writeProducerSnapshot(String persistenceId, long offset, byte[] content) {
    return log(persistenceId).writeProducerSnapshot(offset, content.clone());
  }

  /**
   * The newest intact snapshot stored by {@link #writeProducerSnapshot} at or below {@code
   * atOrBelowOffset} from which the log can be read on (at or above its start offset, at or below
   * its end), if any. A damaged one is skipped with one WARN line for the next older one;
   * damaged ones and those above the log end (left by a crash that lost the log's tail) are
   * deleted.
   */
  public CompletionStage<Optional<ProducerSnapshot>> latestProducerSnapshot(
      String persistenceId, long atOrBelowOffset) {
    return log(persistenceId).latestProducerSnapshot(atOrBelowOffset);
  }

  /**
   * How many segments the log has sealed (rolled) since it was opened: a caller that compares it
   * after its writes learns that a roll happened. Any thread; never blocks.
   */
  public long segmentRolls(String persistenceId) {
    // Never opens a log (nor throws once the engine is closed): a log not open has rolled nothing.
    SegmentedLog target = logs.get(persistenceId);
    return target == null ? 0 : target.segmentRolls();
  }

  /** Forces every log's written data to disk now, whatever the fsync policy. */
  public CompletionStage<Void> flushAll() {
    return CompletableFuture.allOf(
        logs.values().stream().map(SegmentedLog::flushIfDirty).toArray(CompletableFuture[]::new));
  }

  private SegmentedLog log(String persistenceId) {
    if (closed) {
      throw new IllegalStateException("the storage engine is closed");
    }
    return logs.computeIfAbsent(
        persistenceId, id -> new SegmentedLog(id, config, clock, ioExecutor, scheduler, fileOps));
  }

  private void flushDirtyLogs() {
    for (SegmentedLog l : logs.values()) {
      if (l.failed()) {
        continue; // said once, when it went offline
      }
      l.flushIfDirty().exceptionally(e -> {
        if (!(e instanceof LogOfflineException)) {
          log.error("Periodic fsync of log {} failed", l.persistenceId(), e);
        }
        return null;
      });
    }
  }

  private void enforceAllRetention() {
    for (SegmentedLog l : logs.values()) {
      if (!l.retention().equals(RetentionPolicy.KEEP_ALL) && !l.failed()) {
        l.enforceRetention().exceptionally(e -> {
          log.error("Retention of log {} failed", l.persistenceId(), e);
          return null;
        });
      }
    }
  }

  /**
   * Closes every log cleanly (pending writes first, then indexes and clean-shutdown markers) and
   * waits for it.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    for (SegmentedLog l : logs.values()) {
      closing.add(l.close());
    }
    try {
      CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Expected on a full or failing disk (the indexes cannot be written): one line, no trace.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.error("The storage engine did not close cleanly ({}); the next start will scan its logs", cause.toString());
      log.debug("The storage engine did not close cleanly", e);
    } finally {
      scheduler.shutdownNow();
    }
  }
}
