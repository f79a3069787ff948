package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers one log's directory when it is opened, as Kafka's {@code LogLoader}: lists the
 * segments, trusts an index that matches its segment (every one after a clean shutdown, the
 * sealed ones otherwise) and rebuilds the others by scanning, after finishing a truncation a crash
 * interrupted ({@link LogTruncation}), cuts a torn or corrupt tail back to
 * the last complete atomic write, drops every segment after a damaged sealed one and removes
 * empty ones, consumes the clean-shutdown marker, and computes where the log starts and ends.
 *
 * <p>Threading: one call of {@link #load}, on the log's serial queue before anything else runs
 * there; it does blocking file I/O. The result is immutable, and its segments are open and owned
 * by the log from then on.
 */
final class LogLoader {

  private static final Logger log = LoggerFactory.getLogger(LogLoader.class);

  /**
   * What recovery found.
   *
   * @param segments the open segments, the last one active
   * @param cleanShutdown whether the log was closed cleanly (the marker was there)
   * @param deletedToSequenceNr entries up to this sequence number are deleted (0: none)
   * @param highestSequenceNr the highest sequence number stored or deleted (0: none)
   * @param logStartOffset the first readable offset, or -1 while the log holds no batch (where a
   *     truncation that emptied the log left it, if one did)
   * @param logEndOffset the offset after the last batch, or -1 while the log holds no batch (as
   *     the start, for a log emptied by truncation)
   */
  record LoadedLog(LogSegments segments, boolean cleanShutdown, long deletedToSequenceNr,
      long highestSequenceNr, long logStartOffset, long logEndOffset) {}

  private final String persistenceId;
  private final Path dir;
  private final StorageConfig config;
  private final FileOps fileOps;

  LogLoader(String persistenceId, Path dir, StorageConfig config, FileOps fileOps) {
    this.persistenceId = persistenceId;
    this.dir = dir;
    this.config = config;
    this.fileOps = fileOps;
  }

  /** Recovers the directory (creating it for a new log). */
  LoadedLog load() throws IOException {
    Files.createDirectories(dir);
    if (LogFiles.isHashedDirectoryName(dir.getFileName().toString())) {
      Path idFile = dir.resolve(LogFiles.PERSISTENCE_ID);
      if (!Files.exists(idFile)) {
        LogFiles.writeAtomically(idFile, persistenceId.getBytes(StandardCharsets.UTF_8));
      }
    }
    // Removed now, so a crash from here on is recovered as one: only a clean close writes it again.
    boolean clean = Files.deleteIfExists(dir.resolve(LogFiles.CLEAN_SHUTDOWN));
    // Always, not only for the marker: a log reopened after it went offline may hold directory
    // changes that never reached the disk, such as a truncation's deleted redo record. Were that
    // deletion lost after new writes, a crash would bring the record back and truncate them.
    LogFiles.fsyncDirectory(dir);
    if (LogTruncation.finishIfInterrupted(dir, fileOps)) {
      log.warn("Log {}: finished a truncation that a crash or failure interrupted", persistenceId);
    }
    long deletedTo = DeletedToMarker.read(dir);
    List<Long> bases = LogFiles.segmentBases(dir);
    List<Segment> opened = new ArrayList<>();
    long previousSequenceNr = 0;
    for (int i = 0; i < bases.size(); i++) {
      long base = bases.get(i);
      boolean active = i == bases.size() - 1;
      long fileSize = Files.size(LogFiles.segmentFile(dir, base));
      Segment segment = openSegment(base, previousSequenceNr, clean || !active);
      boolean damaged = segment.size() < fileSize;
      if (segment.index().isEmpty()) {
        segment.close();
        segment.deleteFiles();
        continue;
      }
      opened.add(segment);
      previousSequenceNr = segment.index().lastSequenceNr();
      if (damaged && !active) {
        dropSegments(bases.subList(i + 1, bases.size()));
        break;
      }
    }
    LogSegments segments = LogSegments.of(opened);
    long startOffset = segments.startOffset(deletedTo, config.maxEntryBytes());
    long endOffset = segments.endOffset();
    if (endOffset < 0) {
      // Emptied by a truncation: it starts where that left it until its next batch.
      OptionalLong emptyStart = EmptyLogStart.read(dir);
      if (emptyStart.isPresent()) {
        startOffset = emptyStart.getAsLong();
        endOffset = emptyStart.getAsLong();
      }
    }
    return new LoadedLog(segments, clean, deletedTo, Math.max(previousSequenceNr, deletedTo),
        startOffset, endOffset);
  }

  /** Opens a segment on its index if it may be trusted and matches, else on a fresh scan. */
  private Segment openSegment(long base, long previousSequenceNr, boolean mayTrustIndex)
      throws IOException {
    Path file = LogFiles.segmentFile(dir, base);
    long fileSize = Files.size(file);
    if (mayTrustIndex) {
      var index =
          SegmentIndex.readFrom(LogFiles.indexFile(dir, base), fileSize, config.indexIntervalBytes());
      if (index.isPresent() && index.get().lastSequenceNr() > previousSequenceNr) {
        return Segment.open(dir, base, index.get(), fileSize, fileOps);
      }
    }
    SegmentScanner.Result scan = SegmentScanner.scan(
        file, previousSequenceNr, config.indexIntervalBytes(), config.maxEntryBytes());
    if (scan.truncated()) {
      log.warn(
          "Log {}: segment {} has a torn or corrupt tail; keeping {} of {} bytes",
          persistenceId, file.getFileName(), scan.validSize(), scan.fileSize());
    }
    Segment segment = Segment.open(dir, base, scan.index(), scan.validSize(), fileOps);
    try {
      segment.writeIndex();
    } catch (IOException e) {
      // The index is a cache: without it the next open scans again. A disk still full must not
      // keep the stored entries from being read (the first write then takes the log offline).
      log.warn("Log {}: could not write the index of segment {} ({}); it is rebuilt at the next open",
          persistenceId, file.getFileName(), Segment.describe(e));
    }
    return segment;
  }

  private void dropSegments(List<Long> bases) throws IOException {
    for (long base : bases) {
      log.warn("Log {}: dropping segment {} that follows a damaged one", persistenceId, base);
      Files.deleteIfExists(LogFiles.segmentFile(dir, base));
      Files.deleteIfExists(LogFiles.indexFile(dir, base));
    }
  }
}
