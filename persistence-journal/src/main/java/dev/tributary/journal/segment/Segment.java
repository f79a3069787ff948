package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.apache.pekko.util.ByteString;

/**
 * One segment file of a log and its index. Entries are appended at the end by the log's serial
 * queue only; readers on any thread read whole entries below {@link #size()}, which is published
 * after the bytes and index entries of a write.
 *
 * <p>Threading: {@link #append}, {@link #flush}, {@link #seal}, {@link #writeIndex} and the
 * close and delete methods run on the log's serial queue only. {@link #read(long, int)}, the
 * batch reads ({@link #read(long, long, long, boolean, long, int)}, {@link #offsetForTimestamp},
 * {@link #firstOffsetAfterSequenceNr}) and the getters may run on any thread.
 */
final class Segment {

  /** Chunk size for reads that expect to stop early (timestamp lookups, the log start). */
  static final int SCAN_CHUNK_BYTES = 64 * 1024;
  /** Largest chunk a batch read allocates at once, however large its byte budget. */
  private static final long MAX_READ_CHUNK_BYTES = 16L * 1024 * 1024;

  private final long baseSequenceNr;
  private final Path file;
  private final Path indexFile;
  private final FileChannel channel;
  private final FileOps fileOps;
  private final SegmentIndex index;
  private final long createdAtMillis;
  private volatile long size;

  private Segment(long baseSequenceNr, Path dir, FileChannel channel, FileOps fileOps, SegmentIndex index,
      long size, long createdAtMillis) {
    this.baseSequenceNr = baseSequenceNr;
    this.fileOps = fileOps;
    this.createdAtMillis = createdAtMillis;
    this.file = LogFiles.segmentFile(dir, baseSequenceNr);
    this.indexFile = LogFiles.indexFile(dir, baseSequenceNr);
    this.channel = channel;
    this.index = index;
    this.size = size;
  }

  /** Creates a new, empty segment file. */
  static Segment create(Path dir, long baseSequenceNr, int indexIntervalBytes, long nowMillis,
      FileOps fileOps) throws IOException {
    Path file = LogFiles.segmentFile(dir, baseSequenceNr);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    return new Segment(baseSequenceNr, dir, channel, fileOps, new SegmentIndex(indexIntervalBytes), 0,
        nowMillis);
  }

  /**
   * Opens an existing segment whose first {@code validSize} bytes are known good and described by
   * {@code index}; anything after them is cut off.
   */
  static Segment open(Path dir, long baseSequenceNr, SegmentIndex index, long validSize,
      FileOps fileOps) throws IOException {
    FileChannel channel =
        FileChannel.open(
            LogFiles.segmentFile(dir, baseSequenceNr), StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (channel.size() > validSize) {
      channel.truncate(validSize);
      channel.force(true);
    }
    // A recovered segment's age counts from its first entry's write time.
    return new Segment(baseSequenceNr, dir, channel, fileOps, index, validSize, index.firstTimestamp());
  }

  /** When the segment was created (or, once recovered, first written), for rolling by age. */
  long createdAtMillis() {
    return createdAtMillis;
  }

  long baseSequenceNr() {
    return baseSequenceNr;
  }

  Path file() {
    return file;
  }

  /** Bytes of whole entries readers may see. */
  long size() {
    return size;
  }

  SegmentIndex index() {
    return index;
  }


  /**
   * Appends encoded entries ({@code data} from its position to its limit) whose headers are given
   * in order. Serial queue only. On failure nothing of the write is visible (size and index stay)
   * and the file is cut back to its previous size if it can be; if not, recovery cuts the torn
   * tail at the next open.
   */
  void append(ByteBuffer data, List<EntryHeader> headers) throws IOException {
    long start = size;
    try {
      long position = start;
      while (data.hasRemaining()) {
        position += fileOps.write(file, channel, data, position);
      }
    } catch (IOException e) {
      try {
        fileOps.truncate(file, channel, start);
      } catch (IOException cut) {
        e.addSuppressed(cut);
      }
      throw new IOException("could not write " + file.getFileName() + ": " + describe(e), e);
    }
    long position = start;
    for (EntryHeader header : headers) {
      index.onAppend(header, position);
      position += header.totalSize();
    }
    size = position;
  }

  /** Reads up to {@code length} bytes at {@code position} (never past {@link #size()}). */
  ByteBuffer read(long position, int length) throws IOException {
    long end = Math.min(size, position + length);
    ByteBuffer buf = ByteBuffer.allocate((int) Math.max(0, end - position));
    long p = position;
    while (buf.hasRemaining()) {
      int n = fileOps.read(file, channel, buf, p);
      if (n < 0) {
        break;
      }
      p += n;
    }
    return buf.flip();
  }

  /**
   * What {@link #read(long, long, long, boolean, long, int)} found in this segment.
   *
   * @param batches the record batches read, in offset order
   * @param bytes their payload bytes
   * @param limitReached true when the read stopped at its offset or byte limit, so the log's read
   *     must not go on to the next segment; false when it reached the end of this segment
   */
  record Read(List<RawBatch> batches, long bytes, boolean limitReached) {}

  /**
   * Reads this segment's record batches from the one containing {@code fromOffset}, whole
   * entries only, as Kafka's {@code LogSegment.read}: it stops before the first batch at or above
   * {@code maxOffsetExclusive} and before the batch that would take the payload past
   * {@code maxBytes}, except that with {@code minOneBatch} the first batch found is returned
   * whatever its size. Entries without offsets and those at or below
   * {@code deletedToSequenceNr} are skipped. Any thread.
   */
  Read read(long fromOffset, long maxOffsetExclusive, long maxBytes, boolean minOneBatch,
      long deletedToSequenceNr, int maxEntryBytes) throws IOException {
    if (index.nextOffset() <= fromOffset) {
      return new Read(List.of(), 0, false);
    }
    SegmentCursor cursor =
        new SegmentCursor(this, index.positionForOffset(fromOffset), readAhead(maxBytes), maxEntryBytes);
    List<RawBatch> batches = new ArrayList<>();
    long bytes = 0;
    ByteBuffer lastChunk = null;
    long chunkBytes = 0; // of the chunks the batches share
    while (cursor.next()) {
      EntryHeader h = cursor.header();
      if (!h.hasOffsets() || h.sequenceNr() <= deletedToSequenceNr || h.nextOffset() <= fromOffset) {
        continue;
      }
      if (h.baseOffset() >= maxOffsetExclusive) {
        return read(batches, bytes, chunkBytes, true);
      }
      // The cursor reads each chunk into a new buffer, so the batch may share this one's bytes.
      ByteString payload = EntryCodec.payloadBytes(cursor.buffer(), cursor.offsetInBuffer(), h);
      if ((!minOneBatch || !batches.isEmpty()) && bytes + payload.size() > maxBytes) {
        return read(batches, bytes, chunkBytes, true);
      }
      batches.add(new RawBatch(h.baseOffset(), h.recordCount(), h.maxTimestamp(),
          h.leaderEpoch(), h.sequenceNr(), payload));
      bytes += payload.size();
      if (cursor.buffer() != lastChunk) {
        lastChunk = cursor.buffer();
        chunkBytes += lastChunk.capacity();
      }
      if (bytes >= maxBytes) {
        return read(batches, bytes, chunkBytes, true);
      }
      cursor.readAhead(readAhead(maxBytes - bytes));
    }
    return read(batches, bytes, chunkBytes, false);
  }

  /**
   * The batches as they share their chunks, or copied out of them when they are less than half of
   * those chunks: an answer waiting in a queue should not hold a 1 MiB chunk for 10 KiB of batches
   * (a read at the high watermark, with more of the log past it, or one that skipped entries).
   */
  private static Read read(List<RawBatch> batches, long bytes, long chunkBytes, boolean limitReached) {
    if (bytes * 2 >= chunkBytes) {
      return new Read(batches, bytes, limitReached);
    }
    List<RawBatch> copied = new ArrayList<>(batches.size());
    for (RawBatch b : batches) {
      copied.add(new RawBatch(b.baseOffset(), b.recordCount(), b.maxTimestamp(), b.leaderEpoch(),
          b.sequenceNr(), b.bytes().compact()));
    }
    return new Read(copied, bytes, limitReached);
  }

  /**
   * A read's next chunk: what it still wants and a little for entry headers (a fetch of 1 MiB once
   * read its 1 MiB, then another whole 1 MiB only to find that the next batch was over its limit).
   */
  private static int readAhead(long wantedBytes) {
    return (int) Math.min(MAX_READ_CHUNK_BYTES, Math.max(SCAN_CHUNK_BYTES, wantedBytes + 4096));
  }

  /**
   * Calls {@code callback} for this segment's entries with {@code first <= seq <= last}, in
   * order, at most {@code max} of them, checking each one's CRC; returns how many it called it
   * for. Any thread (the log replays on its serial queue).
   */
  long replay(long first, long last, long max, Consumer<JournalEntry> callback, int chunkBytes,
      int maxEntryBytes) throws IOException {
    if (index.lastSequenceNr() < first) {
      return 0;
    }
    SegmentCursor cursor =
        new SegmentCursor(this, index.positionForSequenceNr(first), chunkBytes, maxEntryBytes);
    long delivered = 0;
    while (delivered < max && cursor.next()) {
      EntryHeader h = cursor.header();
      if (h.sequenceNr() > last) {
        break;
      }
      if (h.sequenceNr() < first) {
        continue;
      }
      if (!EntryCodec.crcMatches(cursor.buffer(), cursor.offsetInBuffer(), h)) {
        throw new IOException("entry " + h.sequenceNr() + " at byte " + cursor.position() + " of "
            + file + " fails its CRC");
      }
      callback.accept(EntryCodec.decode(cursor.buffer(), cursor.offsetInBuffer(), h));
      delivered++;
    }
    return delivered;
  }

  /**
   * The base offset of this segment's first batch below {@code endOffset} with a max timestamp
   * of at least {@code timestamp} that is not deleted, or empty. Any thread.
   */
  OptionalLong offsetForTimestamp(long timestamp, long endOffset, long deletedToSequenceNr,
      int maxEntryBytes) throws IOException {
    if (index.firstOffset() < 0 || index.maxTimestamp() < timestamp) {
      return OptionalLong.empty();
    }
    long from = index.offsetBeforeTimestamp(timestamp);
    SegmentCursor cursor =
        new SegmentCursor(this, index.positionForOffset(from), SCAN_CHUNK_BYTES, maxEntryBytes);
    while (cursor.next()) {
      EntryHeader h = cursor.header();
      if (h.hasOffsets() && h.baseOffset() >= endOffset) {
        return OptionalLong.empty(); // never past the log end: a failed write may have left entries
      }
      if (h.hasOffsets() && h.sequenceNr() > deletedToSequenceNr && h.maxTimestamp() >= timestamp) {
        return OptionalLong.of(h.baseOffset());
      }
    }
    return OptionalLong.empty();
  }

  /**
   * The base offset of this segment's first batch above {@code deletedToSequenceNr}, or empty
   * when it has none. Any thread.
   */
  OptionalLong firstOffsetAfterSequenceNr(long deletedToSequenceNr, int maxEntryBytes)
      throws IOException {
    if (index.firstOffset() < 0 || index.lastSequenceNr() <= deletedToSequenceNr) {
      return OptionalLong.empty();
    }
    SegmentCursor cursor = new SegmentCursor(
        this, index.positionForSequenceNr(deletedToSequenceNr + 1), SCAN_CHUNK_BYTES, maxEntryBytes);
    while (cursor.next()) {
      EntryHeader h = cursor.header();
      if (h.hasOffsets() && h.sequenceNr() > deletedToSequenceNr) {
        return OptionalLong.of(h.baseOffset());
      }
    }
    return OptionalLong.empty();
  }

  /** Forces written bytes to disk. */
  void flush() throws IOException {
    try {
      fileOps.force(file, channel);
    } catch (IOException e) {
      throw new IOException("could not fsync " + file.getFileName() + ": " + describe(e), e);
    }
  }

  /** The operating system's words for a failure ("No space left on device"), or its type. */
  static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Flushes the segment and writes its index: after this the segment is never appended to. */
  void seal() throws IOException {
    flush();
    index.writeTo(indexFile, size);
  }

  /** Writes the index as it stands, e.g. after rebuilding it in recovery. */
  void writeIndex() throws IOException {
    index.writeTo(indexFile, size);
  }

  /** Writes the index of the active segment at a clean shutdown, then closes the file. */
  void closeCleanly() throws IOException {
    flush();
    index.writeTo(indexFile, size);
    channel.close();
  }

  void close() throws IOException {
    channel.close();
  }

  /** Removes the segment's files; the channel stays open until {@link #close()}. */
  void deleteFiles() throws IOException {
    Files.deleteIfExists(file);
    Files.deleteIfExists(indexFile);
  }
}
