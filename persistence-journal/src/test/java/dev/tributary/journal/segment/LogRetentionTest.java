package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which segments retention and deleteTo remove: whole sealed ones, oldest first, never the active one. */
class LogRetentionTest {

  @TempDir Path dir;
  private Segment first;
  private Segment second;
  private Segment active;
  private LogSegments segments;

  /** Three equal segments; max timestamps 1003, 1006 and 1009 (sequence numbers 1-3, 4-6, 7-9). */
  @BeforeEach
  void writeSegments() throws IOException {
    first = SegmentFiles.segmentWith(dir, SegmentFiles.batches(1, 0, 3, 1, 100));
    second = SegmentFiles.segmentWith(dir, SegmentFiles.batches(4, 3, 3, 1, 100));
    active = SegmentFiles.segmentWith(dir, SegmentFiles.batches(7, 6, 3, 1, 100));
    segments = LogSegments.of(List.of(first, second, active));
  }

  @AfterEach
  void closeSegments() throws IOException {
    SegmentFiles.closeAll(List.of(first, second, active));
  }

  @Test
  void keepAllRemovesNothing() {
    assertEquals(List.of(), LogRetention.expired(segments, RetentionPolicy.KEEP_ALL, 1_000_000));
  }

  @Test
  void sizeLimitRemovesOldestWhileTheRestStillReachesIt() {
    long afterFirst = second.size() + active.size();
    assertEquals(List.of(),
        LogRetention.expired(segments, new RetentionPolicy(afterFirst + 1, -1), 0));
    assertEquals(List.of(first),
        LogRetention.expired(segments, new RetentionPolicy(afterFirst, -1), 0));
    assertEquals(List.of(first),
        LogRetention.expired(segments, new RetentionPolicy(active.size() + 1, -1), 0));
    assertEquals(List.of(first, second),
        LogRetention.expired(segments, new RetentionPolicy(active.size(), -1), 0));
    assertEquals(List.of(first, second), LogRetention.expired(segments, new RetentionPolicy(0, -1), 0),
        "the active segment stays whatever the limit");
  }

  @Test
  void ageLimitRemovesSegmentsWhoseNewestRecordIsTooOld() {
    RetentionPolicy tenMillis = new RetentionPolicy(-1, 10);
    assertEquals(List.of(), LogRetention.expired(segments, tenMillis, 1_013));
    assertEquals(List.of(first), LogRetention.expired(segments, tenMillis, 1_014));
    assertEquals(List.of(first, second), LogRetention.expired(segments, tenMillis, 1_000_000));
  }

  @Test
  void deleteToFreesSealedSegmentsWhollyAtOrBelowIt() {
    assertEquals(List.of(), LogRetention.deletedBy(segments, 2));
    assertEquals(List.of(first), LogRetention.deletedBy(segments, 3));
    assertEquals(List.of(first), LogRetention.deletedBy(segments, 5));
    assertEquals(List.of(first, second), LogRetention.deletedBy(segments, 100));
  }

  @Test
  void belowAnOffsetFreesSealedSegmentsWhoseRecordsAreAllBelowIt() {
    assertEquals(List.of(), LogRetention.below(segments, 2), "offset 2 is still needed");
    assertEquals(List.of(first), LogRetention.below(segments, 3));
    assertEquals(List.of(first), LogRetention.below(segments, 5));
    assertEquals(List.of(first, second), LogRetention.below(segments, 6));
    assertEquals(List.of(first, second), LogRetention.below(segments, 1_000), "never the active segment");
  }
}
