package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ordered segment set: lookups at segment boundaries, copy-on-write changes, totals. */
class LogSegmentsTest {

  private static final int MAX_ENTRY = 1024 * 1024;

  @TempDir Path dir;
  private Segment first;
  private Segment second;
  private Segment third;
  private LogSegments segments;

  /** Three segments of five two-record batches: sequence numbers 1, 6, 11 and offsets 0, 10, 20 first. */
  @BeforeEach
  void writeSegments() throws IOException {
    first = SegmentFiles.segmentWith(dir, SegmentFiles.batches(1, 0, 5, 2, 50));
    second = SegmentFiles.segmentWith(dir, SegmentFiles.batches(6, 10, 5, 2, 50));
    third = SegmentFiles.segmentWith(dir, SegmentFiles.batches(11, 20, 5, 2, 50));
    segments = LogSegments.of(List.of(first, second, third));
  }

  @AfterEach
  void closeSegments() throws IOException {
    SegmentFiles.closeAll(List.of(first, second, third));
  }

  @Test
  void fromOffsetStartsAtTheSegmentHoldingTheOffset() {
    assertEquals(List.of(first, second, third), segments.fromOffset(0));
    assertEquals(List.of(first, second, third), segments.fromOffset(9));
    assertEquals(List.of(second, third), segments.fromOffset(10));
    assertEquals(List.of(second, third), segments.fromOffset(19));
    assertEquals(List.of(third), segments.fromOffset(20));
    assertEquals(List.of(third), segments.fromOffset(1_000), "past the end: the active segment");
    assertEquals(List.of(first, second, third), segments.fromOffset(-1));
  }

  @Test
  void fromSequenceNrStartsAtTheSegmentHoldingTheSequenceNr() {
    assertEquals(List.of(first, second, third), segments.fromSequenceNr(1));
    assertEquals(List.of(first, second, third), segments.fromSequenceNr(5));
    assertEquals(List.of(second, third), segments.fromSequenceNr(6));
    assertEquals(List.of(third), segments.fromSequenceNr(11));
    assertEquals(List.of(third), segments.fromSequenceNr(99));
    assertEquals(List.of(first, second, third), segments.fromSequenceNr(0));
  }

  @Test
  void lookupsOnAnEmptySetFindNothing() {
    assertEquals(List.of(), LogSegments.EMPTY.fromOffset(0));
    assertEquals(List.of(), LogSegments.EMPTY.fromSequenceNr(1));
    assertNull(LogSegments.EMPTY.active());
    assertEquals(List.of(), LogSegments.EMPTY.sealed());
    assertEquals(-1, LogSegments.EMPTY.endOffset());
  }

  @Test
  void theLastSegmentIsActiveAndTheOthersSealed() {
    assertSame(third, segments.active());
    assertEquals(List.of(first, second), segments.sealed());
    assertEquals(3, segments.count());
  }

  @Test
  void changesMakeNewSetsAndLeaveTheOldOneAsItWas() {
    LogSegments two = LogSegments.of(List.of(first, second));
    LogSegments added = two.adding(third);
    LogSegments removed = added.removing(List.of(first));

    assertEquals(List.of(first, second), two.all(), "a reader holding the old set keeps it");
    assertEquals(List.of(first, second, third), added.all());
    assertEquals(List.of(second, third), removed.all());
    assertSame(removed, removed.removing(List.of()));
  }

  @Test
  void segmentsOutOfOrderAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> LogSegments.of(List.of(second, first)));
    assertThrows(IllegalArgumentException.class, () -> segments.adding(first));
  }

  @Test
  void totalsCoverEverySegment() throws IOException {
    assertEquals(first.size() + second.size() + third.size(), segments.totalBytes());
    assertEquals(30, segments.endOffset());
    assertEquals(15, segments.lastBatchHeader().orElseThrow().sequenceNr());
  }

  @Test
  void startOffsetIsTheFirstBatchAboveTheDeletedMark() throws IOException {
    assertEquals(0, segments.startOffset(0, MAX_ENTRY));
    assertEquals(10, segments.startOffset(5, MAX_ENTRY), "first segment wholly deleted");
    assertEquals(14, segments.startOffset(7, MAX_ENTRY));
    assertEquals(30, segments.startOffset(15, MAX_ENTRY), "all deleted: the log end");
    assertTrue(segments.startOffset(15, MAX_ENTRY) == segments.endOffset());
  }
}
