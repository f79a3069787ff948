package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real segment files written directly, for tests of the pieces under the log. */
final class SegmentFiles {

  private SegmentFiles() {}

  /** A new segment in {@code dir} holding {@code entries}, written as one run. */
  static Segment segmentWith(Path dir, List<JournalEntry> entries) throws IOException {
    return segmentWith(dir, entries, FileOps.DIRECT);
  }

  /** {@link #segmentWith(Path, List)}, the segment making its file calls through {@code fileOps}. */
  static Segment segmentWith(Path dir, List<JournalEntry> entries, FileOps fileOps) throws IOException {
    Segment segment = Segment.create(dir, entries.get(0).sequenceNr(), 64, 0, fileOps);
    EncodedRun run = EncodedRun.ofSize(EncodedRun.encodedSize(entries));
    run.add(entries, -1);
    run.writeTo(segment);
    return segment;
  }

  /**
   * {@code count} record batches from sequence number {@code firstSeq} and offset
   * {@code firstOffset}, each of {@code recordsPerBatch} records with a payload of
   * {@code payloadBytes} and max timestamp {@code 1000 + seq}.
   */
  static List<JournalEntry> batches(long firstSeq, long firstOffset, int count, int recordsPerBatch,
      int payloadBytes) {
    List<JournalEntry> entries = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long seq = firstSeq + i;
      entries.add(Entries.batch(seq, firstOffset + (long) i * recordsPerBatch, recordsPerBatch,
          1_000 + seq, payloadBytes));
    }
    return entries;
  }

  static void closeAll(List<Segment> segments) throws IOException {
    for (Segment s : segments) {
      s.close();
    }
  }
}
