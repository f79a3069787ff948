package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads of one segment ({@link Segment#read}, as Kafka's LogSegment.read) and its timestamp lookup. */
class SegmentReadTest {

  private static final int MAX_ENTRY = 1024 * 1024;
  private static final int PAYLOAD = 100;

  @TempDir Path dir;
  private Segment segment;

  /** Five batches: sequence numbers 1..5, offsets 0..9, two records each, 100-byte payloads. */
  @BeforeEach
  void writeSegment() throws IOException {
    segment = SegmentFiles.segmentWith(dir, SegmentFiles.batches(1, 0, 5, 2, PAYLOAD));
  }

  @AfterEach
  void closeSegment() throws IOException {
    segment.close();
  }

  @Test
  void readStartsAtTheBatchHoldingTheOffsetAndRunsToTheSegmentEnd() throws IOException {
    Segment.Read read = segment.read(3, Long.MAX_VALUE, Long.MAX_VALUE, true, 0, MAX_ENTRY);

    assertEquals(List.of(2L, 4L, 6L, 8L), baseOffsets(read));
    assertEquals(4L * PAYLOAD, read.bytes());
    assertFalse(read.limitReached(), "the end of the segment is no limit: the log reads on");
    for (RawBatch b : read.batches()) {
      assertEquals(b.sequenceNr(), Entries.sequenceOf(b.payload()), "payload of batch " + b);
    }
  }

  @Test
  void readStopsBeforeTheBatchThatWouldPassMaxBytes() throws IOException {
    Segment.Read read = segment.read(0, Long.MAX_VALUE, 2L * PAYLOAD + 50, true, 0, MAX_ENTRY);

    assertEquals(List.of(0L, 2L), baseOffsets(read));
    assertEquals(2L * PAYLOAD, read.bytes());
    assertTrue(read.limitReached());
  }

  @Test
  void readStopsOnceMaxBytesIsReachedExactly() throws IOException {
    Segment.Read read = segment.read(0, Long.MAX_VALUE, 2L * PAYLOAD, true, 0, MAX_ENTRY);

    assertEquals(List.of(0L, 2L), baseOffsets(read));
    assertTrue(read.limitReached());
  }

  @Test
  void readReturnsOneBatchLargerThanMaxBytesOnlyWhenAskedForAtLeastOne() throws IOException {
    Segment.Read first = segment.read(0, Long.MAX_VALUE, 10, true, 0, MAX_ENTRY);
    Segment.Read later = segment.read(0, Long.MAX_VALUE, 10, false, 0, MAX_ENTRY);

    assertEquals(List.of(0L), baseOffsets(first));
    assertTrue(first.limitReached());
    assertEquals(List.of(), baseOffsets(later), "a later segment of a read adds nothing too large");
    assertTrue(later.limitReached());
  }

  @Test
  void readStopsBeforeMaxOffsetExclusive() throws IOException {
    Segment.Read read = segment.read(0, 4, Long.MAX_VALUE, true, 0, MAX_ENTRY);

    assertEquals(List.of(0L, 2L), baseOffsets(read));
    assertTrue(read.limitReached());
  }

  @Test
  void readSkipsDeletedBatches() throws IOException {
    Segment.Read read = segment.read(0, Long.MAX_VALUE, Long.MAX_VALUE, true, 3, MAX_ENTRY);

    assertEquals(List.of(6L, 8L), baseOffsets(read));
  }

  @Test
  void readFromTheSegmentEndFindsNothingAndLetsTheLogReadOn() throws IOException {
    Segment.Read read = segment.read(10, Long.MAX_VALUE, Long.MAX_VALUE, true, 0, MAX_ENTRY);

    assertEquals(List.of(), read.batches());
    assertFalse(read.limitReached());
  }

  @Test
  void readSkipsEntriesWithoutOffsets(@TempDir Path other) throws IOException {
    List<JournalEntry> mixed = new ArrayList<>();
    mixed.add(Entries.event(1));
    mixed.add(Entries.batch(2, 0, 3, 1_002, PAYLOAD));
    mixed.add(Entries.event(3));
    mixed.add(Entries.batch(4, 3, 3, 1_004, PAYLOAD));
    Segment s = SegmentFiles.segmentWith(other, mixed);
    try {
      Segment.Read read = s.read(0, Long.MAX_VALUE, Long.MAX_VALUE, true, 0, MAX_ENTRY);
      assertEquals(List.of(0L, 3L), baseOffsets(read));
    } finally {
      s.close();
    }
  }

  @Test
  void offsetForTimestampFindsTheFirstBatchReachingIt() throws IOException {
    // Max timestamps are 1001..1005 for offsets 0, 2, 4, 6, 8.
    assertEquals(OptionalLong.of(0), segment.offsetForTimestamp(0, 10, 0, MAX_ENTRY));
    assertEquals(OptionalLong.of(4), segment.offsetForTimestamp(1_003, 10, 0, MAX_ENTRY));
    assertEquals(OptionalLong.of(8), segment.offsetForTimestamp(1_005, 10, 0, MAX_ENTRY));
    assertEquals(OptionalLong.empty(), segment.offsetForTimestamp(1_006, 10, 0, MAX_ENTRY));
  }

  @Test
  void offsetForTimestampNeverLooksPastTheEndOrAtDeletedBatches() throws IOException {
    assertEquals(OptionalLong.empty(), segment.offsetForTimestamp(1_004, 6, 0, MAX_ENTRY),
        "the batch at offset 6 is past a log end of 6");
    assertEquals(OptionalLong.of(6), segment.offsetForTimestamp(1_001, 10, 3, MAX_ENTRY),
        "batches up to sequence number 3 are deleted");
  }

  @Test
  void firstOffsetAfterSequenceNrSkipsDeletedBatches() throws IOException {
    assertEquals(OptionalLong.of(0), segment.firstOffsetAfterSequenceNr(0, MAX_ENTRY));
    assertEquals(OptionalLong.of(4), segment.firstOffsetAfterSequenceNr(2, MAX_ENTRY));
    assertEquals(OptionalLong.empty(), segment.firstOffsetAfterSequenceNr(5, MAX_ENTRY));
  }

  @Test
  void replayDeliversTheRangeAndAtMostMax() throws IOException {
    List<Long> seen = new ArrayList<>();
    long delivered = segment.replay(2, 4, Long.MAX_VALUE, e -> seen.add(e.sequenceNr()), 4096, MAX_ENTRY);
    assertEquals(List.of(2L, 3L, 4L), seen);
    assertEquals(3, delivered);

    seen.clear();
    assertEquals(2, segment.replay(1, 5, 2, e -> seen.add(e.sequenceNr()), 4096, MAX_ENTRY));
    assertEquals(List.of(1L, 2L), seen);
  }

  /**
   * A read that stops before the batch past its limit reads that batch once, not another chunk the
   * size of the whole read: a 1 MiB fetch used to read 2 MiB of file.
   */
  @Test
  void theBatchPastTheLimitCostsOneReadOfItselfOnly() throws IOException {
    int payload = 100 * 1024;
    AtomicLong bytesRead = new AtomicLong();
    FileOps counting = new FileOps() {
      @Override
      public int read(Path file, FileChannel channel, ByteBuffer target, long position) throws IOException {
        int n = channel.read(target, position);
        bytesRead.addAndGet(Math.max(0, n));
        return n;
      }
    };
    Path big = dir.resolve("big");
    Files.createDirectories(big);
    Segment large = SegmentFiles.segmentWith(big, SegmentFiles.batches(1, 0, 8, 1, payload), counting);
    try {
      long maxBytes = 3L * payload + 50;

      Segment.Read read = large.read(0, Long.MAX_VALUE, maxBytes, true, 0, MAX_ENTRY);

      assertEquals(List.of(0L, 1L, 2L), baseOffsets(read));
      assertTrue(read.limitReached());
      long firstChunk = maxBytes + 4096;
      long oneEntry = payload + 1024; // the payload and its entry's header, manifests and CRC
      assertTrue(bytesRead.get() <= firstChunk + oneEntry,
          "read " + bytesRead.get() + " bytes of file for " + read.bytes() + " bytes of batches");
    } finally {
      large.close();
    }
  }

  /** Batches share the buffer they were read into, unless they are less than half of it. */
  @Test
  void aReadKeepsItsChunkOnlyWhenItUsesMostOfIt() throws IOException {
    Path big = dir.resolve("big");
    Files.createDirectories(big);
    Segment large = SegmentFiles.segmentWith(big, SegmentFiles.batches(1, 0, 5, 1, 10 * 1024));
    try {
      Segment.Read most = large.read(0, Long.MAX_VALUE, Long.MAX_VALUE, true, 0, MAX_ENTRY);
      assertEquals(5, most.batches().size());
      assertFalse(most.batches().get(0).bytes().isCompact(), "five batches share the chunk they came in");

      Segment.Read little = large.read(0, 1, Long.MAX_VALUE, true, 0, MAX_ENTRY);
      assertEquals(List.of(0L), baseOffsets(little));
      assertTrue(little.batches().get(0).bytes().isCompact(), "one batch of five is copied out of its chunk");
      assertEquals(most.batches().get(0).bytes(), little.batches().get(0).bytes(), "the same payload either way");
    } finally {
      large.close();
    }
  }

  private static List<Long> baseOffsets(Segment.Read read) {
    return read.batches().stream().map(RawBatch::baseOffset).toList();
  }
}
