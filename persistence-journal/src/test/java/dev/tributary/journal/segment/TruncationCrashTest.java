package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at every point of a truncation, in the style of {@link CorruptionTest}: copies of one
 * log as a crash would leave it after each step (and with the one in-place rewrite torn either
 * way), each opened again. Every copy recovers to the log as it was (crash before the redo record
 * was on disk) or exactly the truncated log, whole, and takes the next write.
 *
 * <p>The log: atomic writes of three batches of 10 records, about two writes a segment; the
 * truncation cuts the middle batch of a write in a middle segment, so it deletes later segments,
 * cuts a file, and must flag the kept part of the write as complete.
 */
class TruncationCrashTest {

  private static final String PID = "orders-7";
  private static final int WRITES = 8;
  /** In write 4 (sequence numbers 10..12, offsets 90..119): batch 11 holds offset 105. */
  private static final long OFFSET = 105;

  @TempDir Path dir;

  private Path original;
  private List<Long> allSequenceNrs;
  private List<Long> truncatedSequenceNrs;
  /** The redo record a truncation writes before its first change, as a crash would leave it. */
  private byte[] redoRecord;
  private LogTruncation.Plan plan;

  private static StorageConfig config(Path root) {
    return StorageConfig.defaults(root).withSegmentBytes(1_600).withIndexIntervalBytes(64);
  }

  private static JournalEntry batch(long seq, boolean endOfWrite) {
    return new JournalEntry(seq, endOfWrite, new OffsetInfo((seq - 1) * 10, 10, 1_000 + seq, 1),
        1_000 + seq, 7, "batch", Entries.WRITER, "", Optional.empty(), Entries.payload(seq, 150));
  }

  @BeforeEach
  void writeTheLogAndLearnTheTruncation() throws Exception {
    original = dir.resolve("original");
    try (EngineFixture fixture = new EngineFixture(config(original))) {
      for (int w = 0; w < WRITES; w++) {
        long first = 3L * w + 1;
        await(fixture.engine().append(PID,
            List.of(batch(first, false), batch(first + 1, false), batch(first + 2, true))));
      }
      allSequenceNrs = TruncationTest.sequenceNrs(fixture.engine(), PID);
    }
    assertTrue(segmentBases(original).size() >= 4, "the test needs several segments");

    Path done = copy("done");
    try (EngineFixture fixture = new EngineFixture(config(done))) {
      assertEquals(100L, await(fixture.engine().truncateTo(PID, OFFSET)));
      truncatedSequenceNrs = TruncationTest.sequenceNrs(fixture.engine(), PID);
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), truncatedSequenceNrs);

    // A truncation whose file cut fails goes offline and leaves its redo record behind.
    Path failed = copy("failed");
    FaultyDisk disk = new FaultyDisk();
    disk.failTruncates();
    try (EngineFixture fixture = new EngineFixture(config(failed), disk)) {
      assertThrowsOffline(() -> await(fixture.engine().truncateTo(PID, OFFSET)));
    }
    redoRecord = Files.readAllBytes(failed.resolve(PID).resolve(LogFiles.TRUNCATION));
    plan = LogTruncation.readRecord(failed.resolve(PID)).orElseThrow();
    assertTrue(plan.cutSegment() > 0 && plan.removeFrom() < Long.MAX_VALUE && plan.lastEntryPosition() > 0,
        "the truncation should cut a middle segment inside an atomic write: " + plan);
  }

  private static void assertThrowsOffline(Runnable r) {
    try {
      r.run();
    } catch (LogOfflineException expected) {
      return;
    }
    throw new AssertionError("the truncation did not fail");
  }

  /** A copy of the original log as a crash leaves it: no clean-shutdown marker. */
  private Path copy(String name) throws IOException {
    Path to = dir.resolve(name).resolve(PID);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(original.resolve(PID))) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(LogFiles.CLEAN_SHUTDOWN)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    return dir.resolve(name);
  }

  private Path withRedoRecord(String name) throws IOException {
    Path root = copy(name);
    Files.write(root.resolve(PID).resolve(LogFiles.TRUNCATION), redoRecord);
    return root;
  }

  private static List<Long> segmentBases(Path root) throws IOException {
    return LogFiles.segmentBases(root.resolve(PID));
  }

  private static Path segment(Path root, long base) {
    return LogFiles.segmentFile(root.resolve(PID), base);
  }

  private static void deleteSegment(Path root, long base) throws IOException {
    Files.delete(segment(root, base));
    Files.deleteIfExists(LogFiles.indexFile(root.resolve(PID), base));
  }

  private void deleteLaterSegments(Path root) throws IOException {
    for (long base : segmentBases(root)) {
      if (base >= plan.removeFrom()) {
        deleteSegment(root, base);
      }
    }
  }

  private void cutFile(Path root) throws IOException {
    try (FileChannel channel = FileChannel.open(segment(root, plan.cutSegment()), StandardOpenOption.WRITE)) {
      channel.truncate(plan.keepBytes());
    }
  }

  /** Writes {@code bytes} at {@code offsetInEntry} of the last kept entry: a part of a rewrite. */
  private void overwriteLastEntry(Path root, int offsetInEntry, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(segment(root, plan.cutSegment()), StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(bytes), plan.lastEntryPosition() + offsetInEntry);
    }
  }

  private byte[] lastEntry(Path root) throws IOException {
    try (FileChannel channel = FileChannel.open(segment(root, plan.cutSegment()), StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate((int) (plan.keepBytes() - plan.lastEntryPosition()));
      channel.read(buf, plan.lastEntryPosition());
      return buf.array();
    }
  }

  /** Opens the copy as after a crash and checks it holds {@code expected}, whole, and goes on. */
  private void assertRecoversTo(Path root, List<Long> expected) {
    try (EngineFixture fixture = new EngineFixture(config(root))) {
      StorageEngine engine = fixture.engine();
      assertEquals(expected, TruncationTest.sequenceNrs(engine, PID), "in " + root.getFileName());
      long last = expected.get(expected.size() - 1);
      LogInfo info = await(engine.logInfo(PID));
      assertEquals(last * 10, info.logEndOffset());
      assertEquals(last, info.highestSequenceNr());
      assertTrue(Files.notExists(root.resolve(PID).resolve(LogFiles.TRUNCATION)), "the redo record is gone");
      assertEquals(List.of(new EpochEntry(1, 0)), await(engine.leaderEpochs(PID)));
      await(engine.append(PID, List.of(batch(last + 1, true))));
      StorageEngine again = fixture.crashAndReopen();
      assertEquals(last + 1, await(again.highestSequenceNr(PID)));
      List<Long> withNext = new ArrayList<>(expected);
      withNext.add(last + 1);
      assertEquals(withNext, TruncationTest.sequenceNrs(again, PID));
    }
  }

  @Test
  void aCrashBeforeTheRedoRecordIsOnDiskLeavesTheLogAsItWas() throws IOException {
    assertRecoversTo(copy("no-record"), allSequenceNrs);
  }

  @Test
  void aCrashRightAfterTheRedoRecordIsFinishedAtTheNextOpen() throws IOException {
    assertRecoversTo(withRedoRecord("record-only"), truncatedSequenceNrs);
  }

  @Test
  void aCrashWhileDeletingLaterSegmentsIsFinished() throws IOException {
    Path root = withRedoRecord("newest-deleted");
    List<Long> bases = segmentBases(root);
    deleteSegment(root, bases.get(bases.size() - 1));
    assertRecoversTo(root, truncatedSequenceNrs);

    Path all = withRedoRecord("all-later-deleted");
    deleteLaterSegments(all);
    assertRecoversTo(all, truncatedSequenceNrs);
  }

  @Test
  void aCrashAfterTheFileCutButBeforeTheFlagIsFinished() throws IOException {
    Path root = withRedoRecord("cut");
    deleteLaterSegments(root);
    cutFile(root);
    assertRecoversTo(root, truncatedSequenceNrs);
  }

  @Test
  void aTornFlagRewriteIsFinishedEitherWay() throws IOException {
    Path done = withRedoRecord("rewritten");
    deleteLaterSegments(done);
    cutFile(done);
    LogTruncation.apply(done.resolve(PID), plan, FileOps.DIRECT);
    byte[] rewritten = lastEntry(done);

    Path flagOnly = withRedoRecord("torn-flag-only");
    deleteLaterSegments(flagOnly);
    cutFile(flagOnly);
    overwriteLastEntry(flagOnly, 16, new byte[] {rewritten[16]});
    assertRecoversTo(flagOnly, truncatedSequenceNrs);

    Path crcOnly = withRedoRecord("torn-crc-only");
    deleteLaterSegments(crcOnly);
    cutFile(crcOnly);
    overwriteLastEntry(crcOnly, 4, new byte[] {rewritten[4], rewritten[5], rewritten[6], rewritten[7]});
    assertRecoversTo(crcOnly, truncatedSequenceNrs);

    Path halfCrc = withRedoRecord("torn-half-crc");
    deleteLaterSegments(halfCrc);
    cutFile(halfCrc);
    overwriteLastEntry(halfCrc, 4, new byte[] {rewritten[4], rewritten[5]});
    assertRecoversTo(halfCrc, truncatedSequenceNrs);
  }

  @Test
  void aCrashAfterEveryFileChangeButBeforeTheRecordIsDeletedIsFinished() throws IOException {
    Path root = withRedoRecord("all-but-record");
    LogTruncation.apply(root.resolve(PID), plan, FileOps.DIRECT);
    assertRecoversTo(root, truncatedSequenceNrs);
  }

  @Test
  void aCompletedTruncationHoldsThroughACrash() {
    assertRecoversTo(dir.resolve("done"), truncatedSequenceNrs);
  }

  @Test
  void aDamagedLastKeptEntryIsNotMadeToLookWhole() throws IOException {
    Path root = withRedoRecord("damaged-last-entry");
    deleteLaterSegments(root);
    cutFile(root);
    byte[] entry = lastEntry(root);
    overwriteLastEntry(root, entry.length - 1, new byte[] {(byte) (entry[entry.length - 1] ^ 0x5A)});
    // The damaged entry and the rest of its atomic write are cut as damage always is: never
    // a CRC made to match bytes that are wrong.
    assertRecoversTo(root, truncatedSequenceNrs.subList(0, 9));
  }
}
