package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries encoded back to back, with their headers, to be written to the active segment in one
 * call. A group commit encodes into this I/O thread's direct buffer ({@link WriteBuffer}) and
 * writes it out in runs: no zeroed heap buffer per write and no hidden copy into a temporary
 * direct buffer by the JDK. A single write larger than that buffer gets a run of its own.
 *
 * <p>Threading: one task on one thread (the log's serial queue); never shared.
 */
final class EncodedRun {

  private final ByteBuffer buffer;
  private final List<EntryHeader> headers = new ArrayList<>();

  private EncodedRun(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  /** A run in this thread's write buffer, valid until the calling task ends. */
  static EncodedRun onThisThread() {
    return new EncodedRun(WriteBuffer.acquire());
  }

  /** A run of its own for one write of {@code bytes}, larger than the thread's buffer. */
  static EncodedRun ofSize(int bytes) {
    return new EncodedRun(ByteBuffer.allocate(bytes));
  }

  /** The bytes encoded so far. */
  int bytes() {
    return buffer.position();
  }

  int remaining() {
    return buffer.remaining();
  }

  int capacity() {
    return buffer.capacity();
  }

  /** The bytes {@code entries} take encoded. */
  static int encodedSize(List<JournalEntry> entries) {
    int size = 0;
    for (JournalEntry e : entries) {
      size += EntryCodec.encodedSize(e);
    }
    return size;
  }

  /**
   * Encodes {@code entries} after what the run holds; they must fit. Returns the offset after
   * their last record batch, or {@code nextOffset} when none of them is one.
   */
  long add(List<JournalEntry> entries, long nextOffset) {
    long next = nextOffset;
    for (JournalEntry e : entries) {
      int start = buffer.position();
      EntryCodec.encode(e, buffer);
      headers.add(EntryCodec.readHeader(buffer, start, Integer.MAX_VALUE));
      if (e.hasOffsets()) {
        next = e.offsets().nextOffset();
      }
    }
    return next;
  }

  /**
   * Appends what the run holds to {@code segment} (null only while the run is empty), then
   * empties the run.
   */
  void writeTo(Segment segment) throws IOException {
    if (buffer.position() > 0) {
      buffer.flip();
      segment.append(buffer, headers);
    }
    buffer.clear();
    headers.clear();
  }
}
