package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Walks the whole entries of a segment forward from a position, reading the file in chunks. Each
 * refill allocates a new buffer, so views handed out of an earlier chunk stay valid. One thread.
 */
final class SegmentCursor {

  private final Segment segment;
  private int chunkBytes;
  private final int maxEntryBytes;
  private ByteBuffer chunk = ByteBuffer.allocate(0);
  private long chunkStart;
  private int offsetInChunk;
  private EntryHeader header;

  SegmentCursor(Segment segment, long startPosition, int chunkBytes, int maxEntryBytes) {
    this.segment = segment;
    this.chunkBytes = Math.max(chunkBytes, EntryCodec.HEADER_SIZE);
    this.maxEntryBytes = maxEntryBytes;
    this.chunkStart = startPosition;
  }

  /**
   * How many bytes the next refill reads (at least the entry it is for): a read that knows how much
   * more it wants says so, so that the entry past its limit costs a read of that entry, not of a
   * whole chunk.
   */
  void readAhead(int bytes) {
    this.chunkBytes = Math.max(bytes, EntryCodec.HEADER_SIZE);
  }

  /** Moves to the next entry; false at the end of the segment's visible bytes. */
  boolean next() throws IOException {
    int p = header == null ? offsetInChunk : offsetInChunk + header.totalSize();
    header = null;
    long position = chunkStart + p;
    if (position >= segment.size()) {
      return false;
    }
    EntryHeader h = EntryCodec.readHeader(chunk, p, maxEntryBytes);
    if (h == null || p + h.totalSize() > chunk.limit()) {
      // The entry's size is known when its header is in this chunk: read at least all of it at once.
      chunk = segment.read(position, h == null ? chunkBytes : Math.max(chunkBytes, h.totalSize()));
      chunkStart = position;
      p = 0;
      h = EntryCodec.readHeader(chunk, 0, maxEntryBytes);
      if (h == null) {
        throw corrupt(position);
      }
      if (h.totalSize() > chunk.limit()) {
        chunk = segment.read(position, h.totalSize());
        if (h.totalSize() > chunk.limit()) {
          throw corrupt(position);
        }
      }
    }
    offsetInChunk = p;
    header = h;
    return true;
  }

  EntryHeader header() {
    return header;
  }

  /** The buffer holding the current entry, which starts at {@link #offsetInBuffer()}. */
  ByteBuffer buffer() {
    return chunk;
  }

  int offsetInBuffer() {
    return offsetInChunk;
  }

  long position() {
    return chunkStart + offsetInChunk;
  }

  private IOException corrupt(long position) {
    return new IOException(
        "corrupt entry at byte " + position + " of " + segment.file()
            + ": the log was damaged after recovery; restart the broker to truncate it");
  }
}
