package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Truncation of a log's tail, as Kafka's {@code UnifiedLog.truncateTo}: what it removes
 * ({@link #plan}), and doing it to the files ({@link #apply}) so that a crash at any point is
 * finished at the next open.
 *
 * <p>Crash safety is a redo record. Before the first file changes, the plan is written atomically
 * to {@value LogFiles#TRUNCATION}; {@link #apply} only makes the files match the plan, so running
 * it again, whole or after any part of it, has the same result; the record is deleted (and the
 * directory fsynced) once the truncation is done, before any later write can reach the log. An
 * open that finds the record ({@link #finishIfInterrupted}) applies it again before recovery. So a
 * crash leaves the log as it was (no record yet) or truncated exactly, never part of the old tail
 * mixed with new writes.
 *
 * <p>Why a record rather than ordered deletes: truncation at a batch may cut an atomic write
 * (a partition writes several batches in one), and its last kept entry must then get the
 * end-of-atomic-write flag, or recovery would cut back to the write's start. That flag is under
 * the entry's CRC, so fixing it rewrites the CRC in place; a torn rewrite is repaired by the redo.
 *
 * <p>Threading: the log's serial queue (or its recovery) only; blocking file I/O.
 */
final class LogTruncation {

  private static final byte VERSION = 1;
  private static final int RECORD_BYTES = 1 + 7 * 8 + 4;
  /** The entry prefix rewritten to set the flag: length, CRC, sequence number, flags. */
  private static final int FLAGS_END = 17;

  private LogTruncation() {}

  /**
   * What to do to the files, in terms of files only (so a recovery can redo it).
   *
   * @param removeFrom segments whose base sequence number is at least this are deleted
   *     ({@link Long#MAX_VALUE}: none)
   * @param cutSegment the base sequence number of the segment cut to {@code keepBytes}, or -1
   * @param keepBytes bytes kept of the cut segment
   * @param lastEntryPosition where the last kept entry of the cut segment starts: it gets the
   *     end-of-atomic-write flag (-1: none)
   * @param lastEntryCrc that entry's CRC with the flag set: a redo rewrites the CRC only when the
   *     entry's bytes give this one, so it never makes a damaged entry look whole
   * @param emptyLogStart where the log starts once emptied, or -1 when it keeps a batch
   * @param deletedTo the deleted-to mark to store, or -1 to leave it
   */
  record Plan(long removeFrom, long cutSegment, long keepBytes, long lastEntryPosition,
      int lastEntryCrc, long emptyLogStart, long deletedTo) {}

  /**
   * A plan and the log it leaves.
   *
   * @param removed segments whose files go (the cut one is not among them)
   * @param cut the segment cut, or null
   * @param cutIndex the index of the cut segment's kept part, or null
   * @param highestSequenceNr the last kept entry's sequence number (0: none)
   * @param logEndOffset the offset after the last kept batch (the empty log's start if none)
   */
  record Outcome(Plan plan, List<Segment> removed, Segment cut, SegmentIndex cutIndex,
      long highestSequenceNr, long logEndOffset) {

    boolean empties() {
      return plan.emptyLogStart() >= 0;
    }
  }

  /**
   * What truncating {@code segments} at {@code offset} removes: the first batch whose records
   * reach {@code offset} (the one holding it, or the first above it) and every entry after it,
   * batches or not. When that leaves no batch, or {@code offset} is at or below the log start,
   * the log is emptied: every segment goes and the log starts (and ends) at {@code offset}, or
   * at the base offset of the first batch removed when that is lower, as Kafka's {@code
   * truncateFullyAndStartAt}. The caller has checked that {@code offset} is below the log end.
   * Reads the entry headers of the segment where the cut falls, to rebuild its index.
   */
  static Outcome plan(LogSegments segments, long offset, long logStartOffset, long deletedTo,
      int indexIntervalBytes, int maxEntryBytes) throws IOException {
    List<Segment> all = segments.all();
    if (offset <= logStartOffset) {
      return emptied(all, offset);
    }
    int at = 0;
    while (at < all.size() && all.get(at).index().nextOffset() <= offset) {
      at++;
    }
    if (at == all.size()) {
      throw new IllegalStateException("no batch reaches offset " + offset + ": it is not below the log end");
    }
    Segment segment = all.get(at);
    SegmentIndex kept = new SegmentIndex(indexIntervalBytes);
    long cutPosition = -1;
    long lastPosition = -1;
    long lastSequenceNr = 0;
    long firstRemovedBase = -1;
    SegmentCursor cursor = new SegmentCursor(segment, 0, Segment.SCAN_CHUNK_BYTES * 16, maxEntryBytes);
    while (cursor.next()) {
      EntryHeader h = cursor.header();
      if (h.hasOffsets() && h.nextOffset() > offset) {
        cutPosition = cursor.position();
        firstRemovedBase = h.baseOffset();
        break;
      }
      kept.onAppend(h, cursor.position());
      lastPosition = cursor.position();
      lastSequenceNr = h.sequenceNr();
    }
    if (cutPosition < 0) {
      throw new IllegalStateException("segment " + segment.file() + " says it reaches offset "
          + offset + " but holds no such batch");
    }
    List<Segment> before = all.subList(0, at);
    long endOffset = kept.nextOffset() >= 0 ? kept.nextOffset() : LogSegments.of(before).endOffset();
    if (endOffset < 0) {
      return emptied(all, Math.min(offset, firstRemovedBase)); // no batch would be left
    }
    List<Segment> removed = new ArrayList<>(all.subList(at + 1, all.size()));
    long highest = lastSequenceNr;
    Plan plan;
    if (cutPosition == 0) {
      // The cut is at the segment's start: it goes whole, and the one before it ends the log as
      // it is (an atomic write never spans segments, so it ends one).
      removed.add(0, segment);
      highest = before.get(before.size() - 1).index().lastSequenceNr();
      plan = new Plan(segment.baseSequenceNr(), -1, 0, -1, 0, -1, deletedTo > highest ? highest : -1);
      return new Outcome(plan, removed, null, null, highest, endOffset);
    }
    long removeFrom = at + 1 < all.size() ? all.get(at + 1).baseSequenceNr() : Long.MAX_VALUE;
    ByteBuffer last = segment.read(lastPosition, (int) (cutPosition - lastPosition));
    last.put(16, (byte) (last.get(16) | EntryCodec.FLAG_END_OF_ATOMIC_WRITE));
    plan = new Plan(removeFrom, segment.baseSequenceNr(), cutPosition, lastPosition,
        entryCrc(last), -1, deletedTo > highest ? highest : -1);
    return new Outcome(plan, removed, segment, kept, highest, endOffset);
  }

  private static Outcome emptied(List<Segment> all, long startOffset) {
    Plan plan = new Plan(0, -1, 0, -1, 0, startOffset, 0); // every segment file goes
    return new Outcome(plan, List.copyOf(all), null, null, 0, startOffset);
  }

  /** Stores the plan as the redo record, atomically and fsynced: do this before {@link #apply}. */
  static void writeRecord(Path dir, Plan plan) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(RECORD_BYTES);
    buf.put(VERSION).putLong(plan.removeFrom()).putLong(plan.cutSegment()).putLong(plan.keepBytes())
        .putLong(plan.lastEntryPosition()).putLong(plan.lastEntryCrc()).putLong(plan.emptyLogStart())
        .putLong(plan.deletedTo());
    buf.putInt(crc(buf.array(), RECORD_BYTES - 4));
    LogFiles.writeAtomically(dir.resolve(LogFiles.TRUNCATION), buf.array());
  }

  /**
   * The stored redo record, or empty when there is none.
   *
   * @throws IOException when it is damaged: the log cannot tell how far its tail goes
   */
  static Optional<Plan> readRecord(Path dir) throws IOException {
    Path file = dir.resolve(LogFiles.TRUNCATION);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    if (bytes.length != RECORD_BYTES || buf.get() != VERSION
        || crc(bytes, RECORD_BYTES - 4) != buf.getInt(RECORD_BYTES - 4)) {
      throw new IOException(file + " is damaged: the log cannot tell where an interrupted truncation"
          + " ends; move the log directory aside (quarantine it) and let it replicate again");
    }
    return Optional.of(new Plan(buf.getLong(), buf.getLong(), buf.getLong(), buf.getLong(),
        (int) buf.getLong(), buf.getLong(), buf.getLong()));
  }

  /** Deletes the redo record once the truncation is done, and makes that durable. */
  static void deleteRecord(Path dir) throws IOException {
    Files.deleteIfExists(dir.resolve(LogFiles.TRUNCATION));
    LogFiles.fsyncDirectory(dir);
  }

  /**
   * Makes the files match {@code plan}, durably: later segments deleted newest first, the cut
   * segment truncated, its last kept entry flagged as the end of an atomic write and its index
   * file deleted (the index is rebuilt), the markers written, everything fsynced. Idempotent.
   */
  static void apply(Path dir, Plan plan, FileOps fileOps) throws IOException {
    List<Long> bases = LogFiles.segmentBases(dir);
    for (int i = bases.size() - 1; i >= 0 && bases.get(i) >= plan.removeFrom(); i--) {
      Files.deleteIfExists(LogFiles.segmentFile(dir, bases.get(i)));
      Files.deleteIfExists(LogFiles.indexFile(dir, bases.get(i)));
    }
    if (plan.cutSegment() >= 0) {
      Path file = LogFiles.segmentFile(dir, plan.cutSegment());
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        if (channel.size() > plan.keepBytes()) {
          fileOps.truncate(file, channel, plan.keepBytes());
        }
        if (plan.lastEntryPosition() >= 0 && channel.size() == plan.keepBytes()) {
          markEndOfAtomicWrite(file, channel, plan, fileOps);
        }
        // true: the file's new size is metadata, and it must be on disk too.
        channel.force(true);
      }
      Files.deleteIfExists(LogFiles.indexFile(dir, plan.cutSegment()));
    }
    if (plan.deletedTo() >= 0) {
      DeletedToMarker.write(dir, plan.deletedTo());
    }
    if (plan.emptyLogStart() >= 0) {
      EmptyLogStart.write(dir, plan.emptyLogStart());
    }
    LogFiles.fsyncDirectory(dir);
  }

  /**
   * Finishes a truncation a crash interrupted, if its redo record is there: recovery calls this
   * before it reads any segment. Returns whether it did.
   */
  static boolean finishIfInterrupted(Path dir, FileOps fileOps) throws IOException {
    Optional<Plan> plan = readRecord(dir);
    if (plan.isEmpty()) {
      return false;
    }
    apply(dir, plan.get(), fileOps);
    deleteRecord(dir);
    return true;
  }

  /**
   * Sets the end-of-atomic-write flag of the plan's last kept entry and stores its CRC again;
   * rewrites them also when the flag is set but the CRC does not match (a torn earlier rewrite:
   * only these two fields ever change). An entry whose bytes do not give the planned CRC is
   * damaged and left alone: recovery then cuts it as any damaged entry.
   */
  private static void markEndOfAtomicWrite(Path file, FileChannel channel, Plan plan, FileOps fileOps)
      throws IOException {
    long position = plan.lastEntryPosition();
    int length = (int) (plan.keepBytes() - position);
    ByteBuffer entry = ByteBuffer.allocate(length);
    while (entry.hasRemaining() && channel.read(entry, position + entry.position()) >= 0) {
      // read it all
    }
    if (entry.hasRemaining() || length < EntryCodec.HEADER_SIZE || entry.getInt(0) + 4 != length) {
      throw new IOException("the last kept entry at byte " + position + " of " + file
          + " does not end where the truncation keeps the file (" + plan.keepBytes() + " bytes)");
    }
    byte storedFlags = entry.get(16);
    int storedCrc = entry.getInt(4);
    entry.put(16, (byte) (storedFlags | EntryCodec.FLAG_END_OF_ATOMIC_WRITE));
    int crc = entryCrc(entry);
    if (entry.get(16) == storedFlags && crc == storedCrc) {
      return; // already done
    }
    if (crc != plan.lastEntryCrc()) {
      return; // damaged: not ours to mend
    }
    entry.putInt(4, crc);
    ByteBuffer prefix = entry.duplicate().position(0).limit(FLAGS_END);
    long at = position;
    while (prefix.hasRemaining()) {
      at += fileOps.write(file, channel, prefix, at);
    }
  }

  /** The CRC of a whole encoded entry, as {@link EntryCodec} computes it. */
  private static int entryCrc(ByteBuffer entry) {
    CRC32C crc = new CRC32C();
    crc.update(entry.duplicate().position(EntryCodec.PREFIX_SIZE).limit(entry.limit()));
    return (int) crc.getValue();
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }
}
