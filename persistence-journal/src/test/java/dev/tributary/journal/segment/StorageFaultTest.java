package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full or failing disk takes one log offline: the failed write and everything after it fail
 * with {@link LogOfflineException}, nothing unacknowledged becomes visible, other logs carry on,
 * and the log opened again continues after its last complete write without reusing an offset or
 * a sequence number.
 */
class StorageFaultTest {

  private static final String PID = "orders-0";
  private static final int RECORDS = 10;

  @TempDir Path dir;

  private static void append(StorageEngine engine, String pid, long seq, long baseOffset) {
    await(engine.append(pid, List.of(batch(seq, baseOffset, 100))));
  }

  private static JournalEntry batch(long seq, long baseOffset, int payloadBytes) {
    return Entries.batch(seq, baseOffset, RECORDS, 1_000 + seq, payloadBytes);
  }

  private static List<Long> storedBaseOffsets(StorageEngine engine, String pid) {
    List<Long> offsets = new ArrayList<>();
    for (RawBatch b : await(engine.readRaw(pid, 0, Long.MAX_VALUE, Integer.MAX_VALUE))) {
      assertEquals(b.sequenceNr(), Entries.sequenceOf(b.payload()), "the payload of its own write");
      offsets.add(b.baseOffset());
    }
    return offsets;
  }

  private Path logDir(String pid) {
    return dir.resolve(LogFiles.directoryName(pid));
  }

  private Path firstSegment(String pid) {
    return LogFiles.segmentFile(logDir(pid), 1);
  }

  private boolean cleanShutdownMarked(String pid) {
    return Files.exists(logDir(pid).resolve(LogFiles.CLEAN_SHUTDOWN));
  }

  @Test
  void aFailedFsyncTakesTheLogOfflineAndAfterARestartNoOffsetOrSequenceNumberIsUsedTwice() throws Exception {
    FaultyDisk disk = new FaultyDisk();
    try (EngineFixture fixture = new EngineFixture(StorageConfig.defaults(dir), disk)) {
      StorageEngine engine = fixture.engine();
      append(engine, PID, 1, 0);
      append(engine, PID, 2, 10);
      append(engine, PID, 3, 20);

      disk.failFsyncs();
      LogOfflineException failed = assertThrows(LogOfflineException.class, () -> append(engine, PID, 4, 30));
      assertTrue(failed.reason().contains("could not fsync") && failed.reason().contains(FaultyDisk.IO_ERROR),
          failed.getMessage());
      assertEquals(Optional.of(failed.reason()), engine.offlineReason(PID));

      // Nothing more is written in this process, not even once the device works again.
      disk.heal();
      int writes = disk.writes.get();
      assertThrows(LogOfflineException.class, () -> append(engine, PID, 4, 30));
      assertThrows(LogOfflineException.class, () -> append(engine, PID, 5, 40));
      assertThrows(LogOfflineException.class, () -> await(engine.flushAll()));
      assertThrows(LogOfflineException.class, () -> await(engine.deleteTo(PID, 1)));
      assertEquals(writes, disk.writes.get(), "no write reached the disk");

      // What is acknowledged stays readable; the failed write is not visible, though it is in the file.
      LogInfo info = await(engine.logInfo(PID));
      assertEquals(30, info.logEndOffset());
      assertEquals(3, info.highestSequenceNr());
      assertEquals(List.of(0L, 10L, 20L), storedBaseOffsets(engine, PID));
      assertTrue(await(engine.readRaw(PID, 30, Long.MAX_VALUE, 1 << 20)).isEmpty());
      assertTrue(await(engine.offsetForTimestamp(PID, 1_004)).isEmpty(), "the failed write's timestamp");
      List<JournalEntry> replayed = new ArrayList<>();
      await(engine.replay(PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, replayed::add));
      assertEquals(3, replayed.size(), "replay stops at the last acknowledged write");

      engine.close();
      assertFalse(cleanShutdownMarked(PID), "an offline log is never marked clean");

      // The write whose fsync failed reached the file whole: recovery keeps it (unacknowledged,
      // which an idempotent producer's retry recognises) and appends continue after it.
      StorageEngine reopened = fixture.reopen();
      LogInfo after = await(reopened.logInfo(PID));
      assertEquals(40, after.logEndOffset());
      assertEquals(4, after.highestSequenceNr());
      IllegalArgumentException reuse =
          assertThrows(IllegalArgumentException.class, () -> append(reopened, PID, 5, 30));
      assertTrue(reuse.getMessage().contains("below the log end offset 40"), reuse.getMessage());
      assertThrows(IllegalArgumentException.class, () -> append(reopened, PID, 4, 40));
      append(reopened, PID, 5, 40);
      assertEquals(List.of(0L, 10L, 20L, 30L, 40L), storedBaseOffsets(reopened, PID));
    }
  }

  @Test
  void aWriteThatRunsOutOfSpacePartWayLeavesATornTailThatTheNextOpenCuts() throws Exception {
    FaultyDisk disk = new FaultyDisk();
    try (EngineFixture fixture = new EngineFixture(StorageConfig.defaults(dir), disk)) {
      StorageEngine engine = fixture.engine();
      append(engine, PID, 1, 0);
      append(engine, PID, 2, 10);
      append(engine, PID, 3, 20);
      long acknowledgedBytes = Files.size(firstSegment(PID));

      // Half a write lands, then the disk is full, and even cutting it back fails.
      disk.fillUpAfter(50);
      disk.failTruncates();
      LogOfflineException failed = assertThrows(LogOfflineException.class, () -> append(engine, PID, 4, 30));
      assertTrue(failed.reason().contains(FaultyDisk.NO_SPACE), failed.getMessage());
      assertEquals(acknowledgedBytes + 50, Files.size(firstSegment(PID)), "a torn tail in the file");
      assertEquals(30, await(engine.logInfo(PID)).logEndOffset());
      assertEquals(List.of(0L, 10L, 20L), storedBaseOffsets(engine, PID));

      disk.heal();
      engine.close();
      assertFalse(cleanShutdownMarked(PID));
      StorageEngine reopened = fixture.reopen();
      assertEquals(30, await(reopened.logInfo(PID)).logEndOffset()); // opens and recovers the log
      assertEquals(acknowledgedBytes, Files.size(firstSegment(PID)), "recovery cut the torn tail");
      assertEquals(3L, await(reopened.highestSequenceNr(PID)));
      append(reopened, PID, 4, 30);
      assertEquals(List.of(0L, 10L, 20L, 30L), storedBaseOffsets(reopened, PID));
    }
  }

  @Test
  void aWriteThatRunsOutOfSpaceIsCutBackAtOnce() throws Exception {
    FaultyDisk disk = new FaultyDisk();
    try (EngineFixture fixture = new EngineFixture(StorageConfig.defaults(dir), disk)) {
      StorageEngine engine = fixture.engine();
      append(engine, PID, 1, 0);
      long acknowledgedBytes = Files.size(firstSegment(PID));
      disk.fillUpAfter(50);
      assertThrows(LogOfflineException.class, () -> append(engine, PID, 2, 10));
      assertEquals(acknowledgedBytes, Files.size(firstSegment(PID)));
    }
  }

  @Test
  void anOfflineLogStillServesReadsWhileOtherLogsCarryOnAndReopeningItResumesAfterItsLastWrite() {
    String other = "orders-1";
    FaultyDisk disk = new FaultyDisk().only(logDir(PID));
    try (EngineFixture fixture = new EngineFixture(StorageConfig.defaults(dir), disk)) {
      StorageEngine engine = fixture.engine();
      append(engine, PID, 1, 0);
      append(engine, other, 1, 0);

      disk.fillUpAfter(0);
      assertThrows(LogOfflineException.class, () -> append(engine, PID, 2, 10));
      append(engine, other, 2, 10);
      assertEquals(Optional.empty(), engine.offlineReason(other));

      assertEquals(List.of(0L), storedBaseOffsets(engine, PID));
      assertEquals(0L, await(engine.offsetForTimestamp(PID, 0)).getAsLong());
      List<JournalEntry> replayed = new ArrayList<>();
      await(engine.replay(PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, replayed::add));
      assertEquals(1, replayed.size());

      assertFalse(await(engine.reopenIfOffline(other)), "a healthy log is left alone");
      disk.heal();
      assertTrue(await(engine.reopenIfOffline(PID)));
      assertEquals(Optional.empty(), engine.offlineReason(PID));
      assertEquals(10, await(engine.logInfo(PID)).logEndOffset());
      append(engine, PID, 2, 10);
      assertEquals(List.of(0L, 10L), storedBaseOffsets(engine, PID));
      assertEquals(List.of(0L, 10L), storedBaseOffsets(engine, other));
    }
  }

  @Test
  void aFailedPeriodicFsyncTakesTheLogOffline() {
    FaultyDisk disk = new FaultyDisk();
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.INTERVAL);
    try (EngineFixture fixture = new EngineFixture(config, disk)) {
      StorageEngine engine = fixture.engine();
      disk.failFsyncs();
      append(engine, PID, 1, 0); // acknowledged from the page cache, as interval promises
      assertThrows(LogOfflineException.class, () -> await(engine.flushAll()));
      assertThrows(LogOfflineException.class, () -> append(engine, PID, 2, 10));
      assertEquals(List.of(0L), storedBaseOffsets(engine, PID));
    }
  }

  @Test
  void everyWriteQueuedBehindAFailedOneFailsAndNoneIsLeftWaiting() throws Exception {
    FaultyDisk disk = new FaultyDisk();
    // Every write fills a segment, so the next one rolls: its fsync of the full segment fails.
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.NEVER).withSegmentBytes(1024);
    try (EngineFixture fixture = new EngineFixture(config, disk)) {
      StorageEngine engine = fixture.engine();
      disk.holdNextWrite();
      CompletionStage<Void> first = engine.append(PID, List.of(batch(1, 0, 700)));
      disk.awaitHeldWrite();
      List<CompletionStage<Void>> queued = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        queued.add(engine.append(PID, List.of(batch(1 + i, i * RECORDS, 700))));
      }
      disk.failFsyncs();
      disk.releaseWrites();
      await(first);
      for (CompletionStage<Void> write : queued) {
        assertThrows(LogOfflineException.class, () -> await(write));
      }
      assertEquals(List.of(0L), storedBaseOffsets(engine, PID));

      disk.heal();
      StorageEngine reopened = fixture.reopen();
      assertEquals(RECORDS, await(reopened.logInfo(PID)).logEndOffset());
      append(reopened, PID, 2, RECORDS);
      assertEquals(List.of(0L, (long) RECORDS), storedBaseOffsets(reopened, PID));
    }
  }
}
