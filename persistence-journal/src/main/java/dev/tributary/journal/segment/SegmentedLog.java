package dev.tributary.journal.segment;

import dev.tributary.journal.segment.LogQueue.Needs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of one persistence id: a directory of segments, the last one active. It keeps the write
 * path (group commit, rolling), the offline state and the orchestration; recovery is
 * {@link LogLoader}, the segment set {@link LogSegments}, the lock-free reads {@link LogReader}
 * (of one segment {@link Segment#read}), and which segments go {@link LogRetention}.
 *
 * <p>Threading: every mutation, replay and sequence-number question runs on the log's own serial
 * queue ({@link LogQueue}, so "highest sequence number after a pending write" is right by
 * construction); the methods returning a {@link CompletableFuture} queue their work there and may
 * be called from any thread. Raw reads, timestamp lookups and the getters run on the calling
 * thread, any thread, against the {@link LogSegments} value current when they start, seeing only
 * whole, published entries.
 *
 * <p>It also keeps the log's leader epochs ({@link LogEpochs}: added on append, cut by truncation
 * and retention, loaded by {@link LeaderEpochLoader}) and truncates its tail ({@link #truncateTo},
 * the work in {@link LogTruncator} and {@link LogTruncation}), both on the serial queue.
 *
 * <p>A failed write or fsync takes the log offline: the write fails, and so does every later
 * write, flush, deletion and retention run, with {@link LogOfflineException}. Its sequence number
 * and log end offset stay at the last acknowledged write, and reads never go past that, so no
 * state moves on beyond what was acknowledged. It writes no clean-shutdown marker, so the next
 * open scans the active segment, cuts what the failed write left, and continues after the last
 * complete write.
 */
final class SegmentedLog {

  private static final Logger log = LoggerFactory.getLogger(SegmentedLog.class);

  private final String persistenceId;
  private final Path dir;
  private final StorageConfig config;
  private final Clock clock;
  private final FileOps fileOps;
  private final LogQueue queue;
  private final Queue<PendingWrite> pendingWrites = new ConcurrentLinkedQueue<>();
  private final CompletableFuture<Void> recovered = new CompletableFuture<>();
  private final AtomicReference<CompletableFuture<Long>> appendSignal =
      new AtomicReference<>(new CompletableFuture<>());

  /** Replaced whole (copy-on-write) on the serial queue; read from any thread. */
  private volatile LogSegments segments = LogSegments.EMPTY;
  private volatile long highestSequenceNr;
  private volatile long deletedToSequenceNr;
  private volatile long logStartOffset = -1;
  private volatile long logEndOffset = -1;
  private volatile RetentionPolicy retention = RetentionPolicy.KEEP_ALL;
  /** This log's own segment size (a topic's segment.bytes), or -1 for the engine's. */
  private volatile long segmentBytes = -1;
  private volatile boolean closed;
  /** Why the log went offline (the failure, in the operating system's words); null while writable. */
  private volatile String offlineReason;
  /** Segments sealed since the log was opened; written on the serial queue, read from any thread. */
  private volatile long segmentRolls;
  private boolean dirty; // serial queue only
  private final RetiredSegments retired;
  /** The log's leader epochs; serial queue only. */
  private final LogEpochs epochs;
  /** Truncates the tail; its sequence lock guards the lock-free reads. */
  private final LogTruncator truncator;
  private final LogReader reader;

  private record PendingWrite(List<JournalEntry> entries, CompletableFuture<Void> done) {}

  SegmentedLog(
      String persistenceId,
      StorageConfig config,
      Clock clock,
      java.util.concurrent.Executor ioExecutor,
      ScheduledExecutorService scheduler,
      FileOps fileOps) {
    this.persistenceId = persistenceId;
    this.fileOps = fileOps;
    this.dir = config.root().resolve(LogFiles.directoryName(persistenceId));
    this.config = config;
    this.clock = clock;
    this.queue = new LogQueue(ioExecutor, this::refusal);
    this.retired = new RetiredSegments(persistenceId, scheduler, config.fileDeleteDelay());
    this.epochs = new LogEpochs(persistenceId, dir);
    this.truncator = new LogTruncator(persistenceId, dir, config, fileOps, retired);
    this.reader = new LogReader(this, truncator, config.maxEntryBytes(), this::truncatedUnderRead);
    queue.execute(this::recover);
  }

  String persistenceId() {
    return persistenceId;
  }

  // ---------------------------------------------------------------- recovery

  private void recover() {
    try {
      LogLoader.LoadedLog loaded = new LogLoader(persistenceId, dir, config, fileOps).load();
      deletedToSequenceNr = loaded.deletedToSequenceNr();
      segments = loaded.segments();
      highestSequenceNr = loaded.highestSequenceNr();
      logEndOffset = loaded.logEndOffset();
      logStartOffset = loaded.logStartOffset();
      epochs.load(segments, logStartOffset, logEndOffset, config.maxEntryBytes());
      recovered.complete(null);
    } catch (IOException | RuntimeException e) {
      log.error("Could not recover log {} in {}", persistenceId, dir, e);
      closed = true;
      recovered.completeExceptionally(e);
    }
  }

  // ---------------------------------------------------------------- writes

  /** Queues a write; writes queued together are written and fsynced together (group commit). */
  CompletableFuture<Void> append(List<JournalEntry> entries) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (entries.isEmpty()) {
      done.complete(null);
      return done;
    }
    List<JournalEntry> atomic = new ArrayList<>(entries);
    int last = atomic.size() - 1;
    atomic.set(last, atomic.get(last).withEndOfAtomicWrite(true));
    pendingWrites.add(new PendingWrite(atomic, done));
    queue.execute(this::drainWrites);
    return done;
  }

  private void drainWrites() {
    List<PendingWrite> batch = new ArrayList<>();
    for (PendingWrite w; (w = pendingWrites.poll()) != null; ) {
      batch.add(w);
    }
    if (batch.isEmpty()) {
      return;
    }
    if (!recovered.isDone() || recovered.isCompletedExceptionally() || closed || offlineReason != null) {
      batch.forEach(w -> w.done().completeExceptionally(unavailable()));
      return;
    }
    List<PendingWrite> accepted = new ArrayList<>();
    EncodedRun run = EncodedRun.onThisThread();
    long expectedSequenceNr = highestSequenceNr;
    long expectedOffset = logEndOffset;
    try {
      for (PendingWrite write : batch) {
        String problem = AppendValidator.problem(persistenceId, write.entries(), expectedSequenceNr,
            expectedOffset, config.maxEntryBytes());
        if (problem != null) {
          write.done().completeExceptionally(new IllegalArgumentException(problem));
          continue;
        }
        int size = EncodedRun.encodedSize(write.entries());
        if (needsRoll(run.bytes() + size) || size > run.remaining()) {
          run.writeTo(active());
          if (needsRoll(size)) {
            roll(write.entries().get(0).sequenceNr());
          }
        }
        if (active() == null) {
          roll(write.entries().get(0).sequenceNr());
        }
        if (size > run.capacity()) {
          EncodedRun own = EncodedRun.ofSize(size); // one write larger than the run buffer
          expectedOffset = own.add(write.entries(), expectedOffset);
          own.writeTo(active());
        } else {
          expectedOffset = run.add(write.entries(), expectedOffset);
        }
        expectedSequenceNr = write.entries().get(write.entries().size() - 1).sequenceNr();
        accepted.add(write);
      }
      run.writeTo(active());
      if (!accepted.isEmpty()) {
        if (config.fsync() == FsyncPolicy.ALWAYS) {
          active().flush();
        } else {
          dirty = true;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Some of the batch may be in the file (and in the segment's index), none of it is
      // acknowledged: every write not yet answered fails, also those not reached, and the log
      // goes offline before anything else can be written after them.
      LogOfflineException offline = goOffline(e);
      batch.forEach(w -> w.done().completeExceptionally(offline));
      return;
    }
    Segment active = active();
    if (active != null) {
      highestSequenceNr = Math.max(highestSequenceNr, active.index().lastSequenceNr());
      if (active.index().nextOffset() >= 0) {
        // A log without batches (new, or emptied by a truncation) starts at its first batch: a
        // follower copying from a leader's log start writes above the end it was emptied at.
        long firstWritten = firstBaseOffset(accepted);
        if (logStartOffset < 0 || (logStartOffset == logEndOffset && firstWritten >= 0)) {
          logStartOffset = firstWritten >= 0 ? firstWritten : active.index().firstOffset();
        }
        logEndOffset = active.index().nextOffset();
      }
    }
    accepted.forEach(w -> epochs.appended(w.entries()));
    epochs.checkpointIfAdded();
    accepted.forEach(w -> w.done().complete(null));
    appendSignal.getAndSet(new CompletableFuture<>()).complete(highestSequenceNr);
  }

  private static long firstBaseOffset(List<PendingWrite> writes) {
    for (PendingWrite write : writes) {
      for (JournalEntry e : write.entries()) {
        if (e.hasOffsets()) {
          return e.offsets().baseOffset();
        }
      }
    }
    return -1;
  }

  private boolean needsRoll(long incomingBytes) {
    Segment active = active();
    if (active == null || active.size() == 0) {
      return false;
    }
    long ageMillis = clock.millis() - active.createdAtMillis();
    long limit = segmentBytes > 0 ? segmentBytes : config.segmentBytes();
    return active.size() + incomingBytes > limit
        || ageMillis >= config.segmentAge().toMillis();
  }

  private void roll(long baseSequenceNr) throws IOException {
    Segment previous = active();
    if (previous != null) {
      previous.seal();
      segmentRolls++;
    }
    Segment created =
        Segment.create(dir, baseSequenceNr, config.indexIntervalBytes(), clock.millis(), fileOps);
    if (config.fsync() == FsyncPolicy.ALWAYS) {
      LogFiles.fsyncDirectory(dir);
    }
    segments = segments.adding(created);
  }

  private Segment active() {
    return segments.active();
  }

  /** Forces written data to disk if anything was written since the last flush. */
  CompletableFuture<Void> flushIfDirty() {
    return queue.submit(Needs.WRITABLE, () -> {
      if (!closed) {
        flushDirty();
      }
      return null;
    });
  }

  /** Forces the active segment to disk if it was written since its last flush. Serial queue only. */
  private void flushDirty() {
    if (dirty) {
      try {
        active().flush();
      } catch (IOException | RuntimeException e) {
        throw goOffline(e);
      }
      dirty = false;
    }
  }

  /**
   * Takes the log offline after a failed write or fsync and says so once, with the cause.
   * Serial queue only.
   */
  private LogOfflineException goOffline(Throwable failure) {
    if (offlineReason == null) {
      offlineReason = Segment.describe(failure);
      log.error("Log {} is offline: {}. Nothing more is written to it; its stored entries can still"
              + " be read. Free space or fix the disk under {}, then restart the broker: the log"
              + " continues after its last complete write",
          persistenceId, offlineReason, dir);
      log.debug("Log {}: the failure that took it offline", persistenceId, failure);
    }
    return new LogOfflineException(persistenceId, offlineReason);
  }

  /** Why the log is offline, or empty while it is writable. Any thread. */
  Optional<String> offlineReason() {
    return Optional.ofNullable(offlineReason);
  }

  /** Whether the log went offline or could not be recovered: opening it again may help. Any thread. */
  boolean failed() {
    return offlineReason != null || recovered.isCompletedExceptionally();
  }

  // ---------------------------------------------------------------- queue-bound reads

  CompletableFuture<Long> highestSequenceNr() {
    return onQueue(() -> highestSequenceNr);
  }

  /**
   * Calls {@code callback} on the queue's thread for each entry with {@code from <= seq <= to}, up
   * to {@code max} entries, skipping deleted ones.
   */
  CompletableFuture<Void> replay(long from, long to, long max, Consumer<JournalEntry> callback) {
    return onQueue(() -> {
      // Never past the last acknowledged write: what a failed one left is not replayed.
      reader.replay(Math.max(from, deletedToSequenceNr + 1), Math.min(to, highestSequenceNr), max, callback);
      return null;
    });
  }

  /** Marks entries up to {@code toSequenceNr} deleted and drops whole sealed segments below it. */
  CompletableFuture<Void> deleteTo(long toSequenceNr) {
    return queue.submit(Needs.WRITABLE, () -> {
      long target = Math.min(toSequenceNr, highestSequenceNr);
      if (target <= deletedToSequenceNr) {
        return null;
      }
      DeletedToMarker.write(dir, target);
      deletedToSequenceNr = target;
      removeSegments(LogRetention.deletedBy(segments, target));
      return null;
    });
  }

  /** Deletes the oldest sealed segments whose records are all below {@code offset}; the log start moves up. */
  CompletableFuture<LogInfo> deleteRecordsBelow(long offset) {
    return queue.submit(Needs.WRITABLE, () -> {
      removeSegments(LogRetention.below(segments, offset));
      return info();
    });
  }

  void setRetention(RetentionPolicy policy) {
    retention = policy;
  }

  /** Rolls this log's segments at {@code bytes} from the next write on; -1: the engine's segment-bytes. */
  void setSegmentBytes(long bytes) {
    segmentBytes = bytes;
  }

  RetentionPolicy retention() {
    return retention;
  }

  /** Deletes the oldest sealed segments that the retention policy no longer keeps. */
  CompletableFuture<LogInfo> enforceRetention() {
    return queue.submit(Needs.WRITABLE, () -> {
      removeSegments(LogRetention.expired(segments, retention, clock.millis()));
      return info();
    });
  }

  private void removeSegments(List<Segment> removable) throws IOException {
    if (removable.isEmpty()) {
      return;
    }
    segments = segments.removing(removable);
    logStartOffset = segments.startOffset(deletedToSequenceNr, config.maxEntryBytes());
    if (logStartOffset >= 0) {
      ProducerSnapshotFiles.deleteBelow(dir, logStartOffset); // the log no longer continues them
      epochs.startAt(logStartOffset);
    }
    retired.delete(removable, dir);
  }

  // ---------------------------------------------------------------- truncation

  /**
   * Removes the tail of the log from the batch that holds {@code offset} ({@link LogTruncation});
   * completes with the new log end offset once that is durable, whatever the fsync policy.
   * Nothing is done when {@code offset} is at or above the log end (or the log holds no batch).
   * A failure takes the log offline: the next open finishes the truncation.
   */
  CompletableFuture<Long> truncateTo(long offset) {
    return queue.submit(Needs.WRITABLE, () -> {
      long end = logEndOffset;
      if (end < 0 || offset >= end) {
        return end;
      }
      flushDirty(); // what the truncation keeps must be on disk before the redo record
      LogTruncator.Truncated truncated = truncator.truncate(
          segments, offset, logStartOffset, deletedToSequenceNr, epochs.cache(), this::goOffline);
      segments = truncated.segments();
      epochs.replace(truncated.epochs());
      highestSequenceNr = truncated.highestSequenceNr();
      deletedToSequenceNr = Math.min(deletedToSequenceNr, highestSequenceNr);
      logEndOffset = truncated.logEndOffset();
      logStartOffset =
          truncated.empties() ? truncated.logEndOffset() : Math.min(logStartOffset, logEndOffset);
      truncator.published(truncated, offset);
      // Whoever waits for an entry after one that is gone must read again, not wait on.
      appendSignal.getAndSet(new CompletableFuture<>())
          .completeExceptionally(new LogTruncatedException(persistenceId, logEndOffset, highestSequenceNr));
      return logEndOffset;
    });
  }

  // ---------------------------------------------------------------- leader epochs

  CompletableFuture<List<EpochEntry>> leaderEpochs() {
    return onQueue(() -> epochs.entries());
  }

  CompletableFuture<java.util.OptionalInt> latestEpoch() {
    return onQueue(() -> epochs.latestEpoch());
  }

  CompletableFuture<EpochEndOffset> endOffsetForEpoch(int epoch) {
    return onQueue(() -> epochs.endOffsetFor(epoch, Math.max(0, logEndOffset)));
  }

  // ---------------------------------------------------------------- producer snapshots

  /** Writes the producer snapshot taken at {@code offset} (at most the log end); keeps the two newest. */
  CompletableFuture<Void> writeProducerSnapshot(long offset, byte[] content) {
    return onQueue(() -> {
      ProducerSnapshotFiles.writeWithin(dir, persistenceId, offset, content, Math.max(0, logEndOffset));
      return null;
    });
  }

  /**
   * The newest intact producer snapshot at or below {@code atOrBelowOffset} that the log can be
   * read on from: between the log start and end offsets. Snapshots above the log end or below
   * its start, and damaged ones, are deleted.
   */
  CompletableFuture<java.util.Optional<ProducerSnapshot>> latestProducerSnapshot(long atOrBelowOffset) {
    return onQueue(() -> {
      long end = Math.max(0, logEndOffset);
      long start = logStartOffset < 0 ? end : logStartOffset;
      return ProducerSnapshotFiles.latest(dir, start, Math.min(atOrBelowOffset, end), end);
    });
  }

  /** Segments sealed since this log was opened. Any thread; never blocks. */
  long segmentRolls() {
    return segmentRolls;
  }

  CompletableFuture<LogInfo> logInfo() {
    return onQueue(this::info);
  }

  private LogInfo info() {
    LogSegments current = segments;
    return new LogInfo(
        logStartOffset, logEndOffset, highestSequenceNr, deletedToSequenceNr,
        current.totalBytes(), current.count(), current.lastBatchHeader());
  }

  /**
   * Closes the log cleanly: indexes written, clean-shutdown marker set. An offline log only closes
   * its files: without the marker the next open scans it and cuts what a failed write left.
   */
  CompletableFuture<Void> close() {
    return queue.submit(Needs.NOTHING, () -> {
      if (closed) {
        return null;
      }
      closed = true;
      if (offlineReason != null) {
        segments.closeAll();
        return null;
      }
      segments.closeAllCleanly();
      Files.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), new byte[0]);
      LogFiles.fsyncDirectory(dir);
      return null;
    });
  }

  /** The log's properties ({@link LogProperties}). */
  CompletableFuture<java.util.Map<String, String>> properties() {
    return onQueue(() -> LogProperties.read(dir));
  }

  /** Replaces the log's properties. */
  CompletableFuture<Void> setProperties(java.util.Map<String, String> properties) {
    return onQueue(() -> {
      LogProperties.write(dir, properties);
      return null;
    });
  }

  /** Closes the log and moves its directory, whole, to {@code target} (whose parent is created). */
  CompletableFuture<Void> moveTo(Path target) {
    return queue.submit(Needs.NOTHING, () -> {
      closed = true;
      segments.closeAll();
      segments = LogSegments.EMPTY;
      LogFiles.moveDirectory(dir, target);
      return null;
    });
  }

  /** Closes the log and removes its directory and everything in it. */
  CompletableFuture<Void> deleteAll() {
    return queue.submit(Needs.NOTHING, () -> {
      closed = true;
      segments.closeAll();
      segments = LogSegments.EMPTY;
      LogFiles.deleteDirectory(dir);
      return null;
    });
  }

  // ---------------------------------------------------------------- lock-free reads

  /** Completes once the log is recovered (exceptionally if recovery failed). */
  CompletableFuture<Void> recovered() {
    return recovered;
  }

  /** The highest sequence number once above {@code sequenceNr}; fails if the log went below it. */
  CompletableFuture<Long> awaitAppendAfter(long sequenceNr) {
    CompletableFuture<Long> signal = appendSignal.get(); // first: a truncation after this fails it
    long highest = highestSequenceNr;
    if (highest < sequenceNr) { // truncated since the caller looked, before this waiter was there
      return CompletableFuture.failedFuture(new LogTruncatedException(persistenceId, logEndOffset, highest));
    }
    return highest > sequenceNr ? CompletableFuture.completedFuture(highest)
        : signal.thenCompose(h -> awaitAppendAfter(sequenceNr));
  }

  long logStartOffset() {
    return logStartOffset;
  }

  long logEndOffset() {
    return logEndOffset;
  }

  /** The segments as last published (for {@link LogReader}). Any thread. */
  LogSegments segments() {
    return segments;
  }

  long deletedToSequenceNr() {
    return deletedToSequenceNr;
  }

  /** Reads stored record batches ({@link LogReader#readRaw}). Any thread; the log must be recovered. */
  List<RawBatch> readRaw(long fromOffset, long maxOffsetExclusive, int maxBytes) throws IOException {
    return reader.readRaw(fromOffset, maxOffsetExclusive, maxBytes);
  }

  /** The first offset whose batch has a max timestamp of at least {@code timestamp}. Any thread. */
  OptionalLong offsetForTimestamp(long timestamp) throws IOException {
    return reader.offsetForTimestamp(timestamp);
  }

  /** A read that failed because a truncation cut the file it read: say that, not "corrupt". */
  private LogTruncatedException truncatedUnderRead(IOException cause) {
    return new LogTruncatedException(persistenceId, logEndOffset, highestSequenceNr, cause);
  }

  /** Runs {@code task} on the serial queue once the log is recovered and while it is open. */
  private <T> CompletableFuture<T> onQueue(LogQueue.IoTask<T> task) {
    return queue.submit(Needs.OPEN, task);
  }

  /** The log's {@link LogQueue.Gate}. Serial queue only. */
  private RuntimeException refusal(Needs needs) {
    boolean open = !recovered.isCompletedExceptionally() && !closed;
    if ((needs != Needs.NOTHING && !open) || (needs == Needs.WRITABLE && offlineReason != null)) {
      return unavailable();
    }
    return null;
  }

  private RuntimeException unavailable() {
    if (offlineReason != null) {
      return new LogOfflineException(persistenceId, offlineReason);
    }
    String why = recovered.isCompletedExceptionally()
        ? "could not be recovered (see the log for the cause); check the data directory " + dir
        : "is closed";
    return new IllegalStateException("log " + persistenceId + " " + why);
  }
}
