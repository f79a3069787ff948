package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The indexes and summary of one segment: a sparse sequence-number index and a sparse offset index
 * (key → file position, one entry every {@code intervalBytes}), a time index (largest timestamp so
 * far → offset of the batch that reached it), and the facts recovery and retention need (last
 * sequence number, next offset, largest timestamp).
 *
 * <p>A cache of the segment, never the truth: the file records the segment size it covers and a
 * CRC, and one that does not match is rebuilt by scanning the segment. One writer thread (the log's
 * serial queue) appends; readers on any thread look up.
 */
final class SegmentIndex {

  private static final int MAGIC = 0x54494458; // "TIDX"
  private static final int VERSION = 1;

  private final int intervalBytes;
  private final LongIndex sequenceIndex = new LongIndex();
  private final LongIndex offsetIndex = new LongIndex();
  private final LongIndex timeIndex = new LongIndex();

  private long bytesSinceSequenceEntry = Long.MAX_VALUE / 2;
  private long bytesSinceOffsetEntry = Long.MAX_VALUE / 2;
  private long bytesSinceTimeEntry = Long.MAX_VALUE / 2;

  private volatile long lastSequenceNr = -1;
  private volatile long firstOffset = -1;
  private volatile long nextOffset = -1;
  private volatile long maxTimestamp = -1;
  private volatile long firstTimestamp = -1;
  private volatile EntryHeader lastBatchHeader;

  SegmentIndex(int intervalBytes) {
    this.intervalBytes = intervalBytes;
  }

  /** Records an entry written at {@code position}. Writer thread only. */
  void onAppend(EntryHeader header, long position) {
    if (bytesSinceSequenceEntry >= intervalBytes) {
      sequenceIndex.append(header.sequenceNr(), position);
      bytesSinceSequenceEntry = 0;
    }
    bytesSinceSequenceEntry += header.totalSize();
    if (header.hasOffsets()) {
      if (bytesSinceOffsetEntry >= intervalBytes) {
        offsetIndex.append(header.baseOffset(), position);
        bytesSinceOffsetEntry = 0;
      }
      bytesSinceOffsetEntry += header.totalSize();
      if (firstOffset < 0) {
        firstOffset = header.baseOffset();
      }
      nextOffset = header.nextOffset();
      lastBatchHeader = header;
    }
    long ts = header.effectiveTimestamp();
    if (ts > maxTimestamp) {
      if (header.hasOffsets() && bytesSinceTimeEntry >= intervalBytes) {
        timeIndex.append(ts, header.baseOffset());
        bytesSinceTimeEntry = 0;
      }
      maxTimestamp = ts;
    }
    bytesSinceTimeEntry += header.totalSize();
    if (firstTimestamp < 0) {
      firstTimestamp = header.timestamp();
    }
    lastSequenceNr = header.sequenceNr();
  }

  /** The position to start scanning from for {@code sequenceNr}: at or before its entry. */
  long positionForSequenceNr(long sequenceNr) {
    int i = sequenceIndex.floorIndex(sequenceNr);
    return i < 0 ? 0 : sequenceIndex.value(i);
  }

  /** The position to start scanning from for {@code offset}: at or before its batch. */
  long positionForOffset(long offset) {
    int i = offsetIndex.floorIndex(offset);
    return i < 0 ? 0 : offsetIndex.value(i);
  }

  /**
   * An offset at or before the first batch whose max timestamp is at least {@code timestamp}: the
   * batch of the last time-index entry below it, or the segment's first offset.
   */
  long offsetBeforeTimestamp(long timestamp) {
    int i = timeIndex.floorIndex(timestamp - 1);
    return i < 0 ? firstOffset : timeIndex.value(i);
  }

  boolean isEmpty() {
    return lastSequenceNr < 0;
  }

  long lastSequenceNr() {
    return lastSequenceNr;
  }

  /** First record offset in the segment, or -1 when it holds no record batch. */
  long firstOffset() {
    return firstOffset;
  }

  /** The offset after the segment's last record, or -1 when it holds no record batch. */
  long nextOffset() {
    return nextOffset;
  }

  long maxTimestamp() {
    return maxTimestamp;
  }

  /** Write time of the segment's first entry, used for rolling by age. */
  long firstTimestamp() {
    return firstTimestamp;
  }

  Optional<EntryHeader> lastBatchHeader() {
    return Optional.ofNullable(lastBatchHeader);
  }

  // ---- persistence ----

  /** Writes this index for a segment of {@code segmentSize} bytes, atomically. */
  void writeTo(Path file, long segmentSize) throws IOException {
    int entries = sequenceIndex.size() + offsetIndex.size() + timeIndex.size();
    EntryHeader last = lastBatchHeader;
    ByteBuffer buf = ByteBuffer.allocate(4 * 2 + 8 * 6 + 12 + 8 * 4 + 4 + 53 + entries * 16 + 4);
    buf.putInt(MAGIC).putInt(VERSION).putLong(segmentSize);
    buf.putLong(lastSequenceNr).putLong(firstOffset).putLong(nextOffset);
    buf.putLong(maxTimestamp).putLong(firstTimestamp);
    buf.putLong(bytesSinceSequenceEntry).putLong(bytesSinceOffsetEntry).putLong(bytesSinceTimeEntry);
    buf.put((byte) (last == null ? 0 : 1));
    if (last != null) {
      buf.putInt(last.totalSize()).putInt(last.crc()).putLong(last.sequenceNr()).put(last.flags());
      buf.putLong(last.baseOffset()).putInt(last.recordCount()).putLong(last.maxTimestamp());
      buf.putInt(last.leaderEpoch()).putLong(last.timestamp());
    }
    for (LongIndex index : new LongIndex[] {sequenceIndex, offsetIndex, timeIndex}) {
      int n = index.size();
      buf.putInt(n);
      for (int i = 0; i < n; i++) {
        buf.putLong(index.key(i)).putLong(index.value(i));
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    byte[] content = new byte[buf.position()];
    buf.flip().get(content);
    LogFiles.writeAtomically(file, content);
  }

  /**
   * Reads an index file, or returns empty when it is missing, damaged, or does not cover exactly
   * {@code segmentSize} bytes: the caller then rebuilds it from the segment.
   */
  static Optional<SegmentIndex> readFrom(Path file, long segmentSize, int intervalBytes) {
    try {
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      byte[] content = Files.readAllBytes(file);
      if (content.length < 4 * 2 + 8 + 4) {
        return Optional.empty();
      }
      ByteBuffer buf = ByteBuffer.wrap(content);
      CRC32C crc = new CRC32C();
      crc.update(content, 0, content.length - 4);
      if ((int) crc.getValue() != buf.getInt(content.length - 4)
          || buf.getInt() != MAGIC
          || buf.getInt() != VERSION
          || buf.getLong() != segmentSize) {
        return Optional.empty();
      }
      SegmentIndex index = new SegmentIndex(intervalBytes);
      index.lastSequenceNr = buf.getLong();
      index.firstOffset = buf.getLong();
      index.nextOffset = buf.getLong();
      index.maxTimestamp = buf.getLong();
      index.firstTimestamp = buf.getLong();
      index.bytesSinceSequenceEntry = buf.getLong();
      index.bytesSinceOffsetEntry = buf.getLong();
      index.bytesSinceTimeEntry = buf.getLong();
      if (buf.get() == 1) {
        index.lastBatchHeader =
            new EntryHeader(
                buf.getInt(), buf.getInt(), buf.getLong(), buf.get(), buf.getLong(), buf.getInt(),
                buf.getLong(), buf.getInt(), buf.getLong());
      }
      for (LongIndex target : new LongIndex[] {index.sequenceIndex, index.offsetIndex, index.timeIndex}) {
        int n = buf.getInt();
        for (int i = 0; i < n; i++) {
          target.append(buf.getLong(), buf.getLong());
        }
      }
      return Optional.of(index);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
