package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * One segment file of a log and its index. Entries are appended at the end by the log's serial
 * queue only; readers on any thread read whole entries below {@link #size()}, which is published
 * after the bytes and index entries of a write.
 */
final class Segment {

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
      int n = channel.read(buf, p);
      if (n < 0) {
        break;
      }
      p += n;
    }
    return buf.flip();
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
