package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovery of one segment file: reads it from the start, checks every entry's frame, CRC and
 * sequence number, and rebuilds its index. It stops at the first torn or corrupt entry and then
 * goes back to the end of the last complete atomic write, so an atomic write is kept whole or not
 * at all.
 */
final class SegmentScanner {

  private static final int CHUNK_BYTES = 8 * 1024 * 1024;

  /**
   * What a scan found.
   *
   * @param validSize bytes of whole, intact, complete atomic writes from the start of the file
   * @param fileSize bytes the file had
   */
  record Result(SegmentIndex index, long validSize, long fileSize) {
    boolean truncated() {
      return validSize < fileSize;
    }
  }

  private SegmentScanner() {}

  /**
   * Scans a segment file. Entries must have sequence numbers above {@code previousSequenceNr}.
   * Runs on the calling thread with blocking reads.
   */
  static Result scan(Path file, long previousSequenceNr, int indexIntervalBytes, int maxEntryBytes)
      throws IOException {
    SegmentIndex index = new SegmentIndex(indexIntervalBytes);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      long chunkStart = 0;
      long committedEnd = 0; // end of the last complete atomic write
      long lastSequenceNr = previousSequenceNr;
      List<EntryHeader> pending = new ArrayList<>();
      List<Long> pendingPositions = new ArrayList<>();
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
      scan:
      while (chunkStart < fileSize) {
        chunk.clear();
        if (chunk.capacity() < CHUNK_BYTES) {
          chunk = ByteBuffer.allocate(CHUNK_BYTES);
        }
        readFully(channel, chunk, chunkStart, fileSize);
        chunk.flip();
        int p = 0;
        while (true) {
          if (chunk.limit() - p < EntryCodec.HEADER_SIZE) {
            if (chunkStart + p + EntryCodec.HEADER_SIZE > fileSize) {
              break scan; // a torn header at the end
            }
            break; // read the next chunk from here
          }
          EntryHeader header = EntryCodec.readHeader(chunk, p, maxEntryBytes);
          if (header == null || header.sequenceNr() <= lastSequenceNr) {
            break scan;
          }
          if (p + header.totalSize() > chunk.limit()) {
            if (chunkStart + p + header.totalSize() > fileSize) {
              break scan; // a torn entry at the end
            }
            if (p == 0) {
              chunk = ByteBuffer.allocate(header.totalSize()); // one entry bigger than a chunk
            }
            break;
          }
          if (!EntryCodec.crcMatches(chunk, p, header)) {
            break scan;
          }
          pending.add(header);
          pendingPositions.add(chunkStart + p);
          lastSequenceNr = header.sequenceNr();
          p += header.totalSize();
          if (header.endOfAtomicWrite()) {
            for (int i = 0; i < pending.size(); i++) {
              index.onAppend(pending.get(i), pendingPositions.get(i));
            }
            pending.clear();
            pendingPositions.clear();
            committedEnd = chunkStart + p;
          }
        }
        chunkStart += p;
      }
      return new Result(index, committedEnd, fileSize);
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position, long fileSize)
      throws IOException {
    long p = position;
    while (buf.hasRemaining() && p < fileSize) {
      int n = channel.read(buf, p);
      if (n < 0) {
        break;
      }
      p += n;
    }
  }
}
