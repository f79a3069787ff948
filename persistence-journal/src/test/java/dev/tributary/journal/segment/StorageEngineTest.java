package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorageEngineTest {

  private static final String PID = "orders-0";

  @TempDir Path dir;

  private static List<JournalEntry> replayAll(StorageEngine engine, String pid) {
    List<JournalEntry> out = new ArrayList<>();
    await(engine.replay(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, out::add));
    return out;
  }

  private static List<Long> sequenceNrs(List<JournalEntry> entries) {
    return entries.stream().map(JournalEntry::sequenceNr).toList();
  }

  private List<String> segmentFiles(String pid) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve(LogFiles.directoryName(pid)))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".log")).sorted().toList();
    }
  }

  /** Appends {@code n} batches of {@code records} records each, 100-byte payloads, one per write. */
  private static void appendBatches(StorageEngine engine, String pid, int n, int records, long firstTimestamp) {
    long seq = await(engine.highestSequenceNr(pid)) + 1;
    long offset = Math.max(0, await(engine.logInfo(pid)).logEndOffset());
    for (int i = 0; i < n; i++) {
      await(engine.append(pid, List.of(
          Entries.batch(seq + i, offset + (long) i * records, records, firstTimestamp + i * 10L, 100))));
    }
  }

  @Test
  void appendedEntriesReplayInOrderAfterACleanRestart() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(PID, Entries.events(1, 3)));
      await(fixture.engine().append(PID, Entries.events(4, 5)));
      StorageEngine reopened = fixture.reopen();
      List<JournalEntry> replayed = replayAll(reopened, PID);
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L), sequenceNrs(replayed));
      assertEquals("event-4", Entries.text(replayed.get(3)));
      assertEquals(Entries.WRITER, replayed.get(0).writerUuid());
      assertEquals(5L, await(reopened.highestSequenceNr(PID)));
    }
  }

  @Test
  void replayHonoursFromToAndMax() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(PID, Entries.events(1, 10)));
      List<JournalEntry> out = new ArrayList<>();
      await(fixture.engine().replay(PID, 3, 8, 4, out::add));
      assertEquals(List.of(3L, 4L, 5L, 6L), sequenceNrs(out));
    }
  }

  @Test
  void aSequenceNumberThatDoesNotIncreaseIsRefusedAndNothingIsStored() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(PID, Entries.events(1, 2)));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> await(fixture.engine().append(PID, Entries.events(2, 3))));
      assertTrue(e.getMessage().contains("not above the highest stored"), e.getMessage());
      assertEquals(List.of(1L, 2L), sequenceNrs(replayAll(fixture.engine(), PID)));
    }
  }

  @Test
  void segmentsRollBySizeAndAreNamedByTheirFirstSequenceNumber() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048).withIndexIntervalBytes(256);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 1_000);
      List<String> files = segmentFiles(PID);
      // each entry is 204 bytes, so ten fit in 2 KiB: 60 entries make exactly six segments
      assertEquals(204, EntryCodec.encodedSize(Entries.batch(1, 0, 5, 1_000, 100)));
      assertEquals(6, files.size(), "segments: " + files);
      assertEquals("00000000000000000001.log", files.get(0));
      for (String f : files) {
        assertEquals(24, f.length(), f);
        assertTrue(Files.size(dir.resolve(PID).resolve(f)) <= 2048, f + " is over segment-bytes");
      }
      StorageEngine reopened = fixture.reopen();
      assertEquals(60, replayAll(reopened, PID).size());
      // the second segment is named by the sequence number of its first entry
      long secondBase = Long.parseLong(files.get(1).substring(0, 20));
      List<JournalEntry> fromSecond = new ArrayList<>();
      await(reopened.replay(PID, secondBase, secondBase, 1, fromSecond::add));
      assertEquals(secondBase, fromSecond.get(0).sequenceNr());
    }
  }

  @Test
  void segmentsRollByAge() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentAge(Duration.ofHours(1));
    try (EngineFixture fixture = new EngineFixture(config)) {
      long now = fixture.clock.millis();
      await(fixture.engine().append(PID, List.of(Entries.batch(1, 0, 1, now, 10))));
      await(fixture.engine().append(PID, List.of(Entries.batch(2, 1, 1, now, 10))));
      assertEquals(1, segmentFiles(PID).size());
      fixture.clock.advance(Duration.ofMinutes(61));
      await(fixture.engine().append(PID, List.of(Entries.batch(3, 2, 1, now, 10))));
      assertEquals(List.of("00000000000000000001.log", "00000000000000000003.log"), segmentFiles(PID));
    }
  }

  @Test
  void rawReadStartsAtTheBatchContainingTheOffsetAtEverySegmentBoundary() {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048).withIndexIntervalBytes(300);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 100, 10, 1_000); // offsets 0..999, batch i at 10*i
      StorageEngine engine = fixture.engine();
      for (long offset = 0; offset < 1000; offset += 7) {
        List<RawBatch> read = await(engine.readRaw(PID, offset, Long.MAX_VALUE, 1));
        assertEquals(1, read.size());
        RawBatch batch = read.get(0);
        assertEquals(offset / 10 * 10, batch.baseOffset(), "offset " + offset);
        assertEquals(offset / 10 + 1, Entries.sequenceOf(batch.payload()), "payload of offset " + offset);
      }
      // first and last batch of every segment, found through the reopened (persisted) indexes
      StorageEngine reopened = fixture.reopen();
      for (long base = 0; base < 1000; base += 10) {
        RawBatch first = await(reopened.readRaw(PID, base + 9, Long.MAX_VALUE, 1)).get(0);
        assertEquals(base, first.baseOffset());
      }
      assertTrue(await(reopened.readRaw(PID, 1000, Long.MAX_VALUE, 1 << 20)).isEmpty(),
          "reading at the log end returns nothing");
      assertThrows(OffsetOutOfRangeException.class, () -> await(reopened.readRaw(PID, 1001, Long.MAX_VALUE, 1)));
      assertThrows(OffsetOutOfRangeException.class, () -> await(reopened.readRaw(PID, -1, Long.MAX_VALUE, 1)));
    }
  }

  @Test
  void rawReadReturnsWholeEntriesWithinTheByteLimitButAlwaysAtLeastOne() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      appendBatches(fixture.engine(), PID, 20, 1, 1_000); // 100-byte payloads
      StorageEngine engine = fixture.engine();
      assertEquals(1, await(engine.readRaw(PID, 0, Long.MAX_VALUE, 10)).size(), "one entry even over the limit");
      assertEquals(3, await(engine.readRaw(PID, 0, Long.MAX_VALUE, 399)).size());
      assertEquals(4, await(engine.readRaw(PID, 0, Long.MAX_VALUE, 400)).size());
      assertEquals(20, await(engine.readRaw(PID, 0, Long.MAX_VALUE, 1 << 20)).size());
      List<RawBatch> bounded = await(engine.readRaw(PID, 5, 8, 1 << 20));
      assertEquals(List.of(5L, 6L, 7L), bounded.stream().map(RawBatch::baseOffset).toList());
      for (RawBatch b : bounded) {
        assertEquals(100, b.payload().remaining());
        assertEquals(b.baseOffset() + 1, Entries.sequenceOf(b.payload()));
      }
    }
  }

  @Test
  void timestampLookupFindsTheFirstBatchAtOrAfterTheTimestamp() {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048).withIndexIntervalBytes(300);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 100, 10, 1_000); // batch i: offsets 10i.., max ts 1000+10i
      StorageEngine engine = fixture.engine();
      assertEquals(OptionalLong.of(0), await(engine.offsetForTimestamp(PID, 0)));
      assertEquals(OptionalLong.of(0), await(engine.offsetForTimestamp(PID, 1_000)));
      assertEquals(OptionalLong.of(10), await(engine.offsetForTimestamp(PID, 1_001)), "between entries");
      assertEquals(OptionalLong.of(500), await(engine.offsetForTimestamp(PID, 1_500)));
      assertEquals(OptionalLong.of(990), await(engine.offsetForTimestamp(PID, 1_990)), "the last batch");
      assertEquals(OptionalLong.empty(), await(engine.offsetForTimestamp(PID, 1_991)), "after the last");
      List<RawBatch> read = await(engine.readRawByTimestamp(PID, 1_495, 1));
      assertEquals(500, read.get(0).baseOffset());
    }
  }

  @Test
  void deletingRecordsBelowAnOffsetRemovesWholeSegmentsBelowItAndTheStartSurvivesARestart() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 1_000);
      StorageEngine engine = fixture.engine();
      int before = segmentFiles(PID).size();
      LogInfo info = await(engine.deleteRecordsBelow(PID, 150));
      assertTrue(segmentFiles(PID).size() < before, "segments deleted");
      assertTrue(info.logStartOffset() > 0 && info.logStartOffset() <= 150, "starts at or below 150: " + info);
      assertEquals(300, info.logEndOffset());
      assertEquals(info.logStartOffset(), await(engine.readRaw(PID, info.logStartOffset(), Long.MAX_VALUE, 1)).get(0).baseOffset());
      assertEquals(150, await(engine.readRaw(PID, 150, Long.MAX_VALUE, 1)).get(0).baseOffset(), "150 is kept");
      assertEquals(info, await(engine.deleteRecordsBelow(PID, 10)), "a lower offset changes nothing");
      StorageEngine reopened = fixture.reopen();
      assertEquals(info.logStartOffset(), await(reopened.logInfo(PID)).logStartOffset(), "log start survives a restart");
    }
  }

  @Test
  void retentionBySizeDeletesOldestSealedSegmentsAndMovesTheLogStart() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 1_000);
      StorageEngine engine = fixture.engine();
      int before = segmentFiles(PID).size();
      engine.setRetention(PID, new RetentionPolicy(4096, -1));
      LogInfo info = await(engine.enforceRetention(PID));
      List<String> after = segmentFiles(PID);
      assertTrue(after.size() < before && after.size() >= 2, before + " -> " + after);
      assertTrue(info.sizeBytes() <= 4096 + 2048, "size " + info.sizeBytes());
      assertTrue(info.logStartOffset() > 0);
      assertEquals(300, info.logEndOffset());
      assertEquals(info.logStartOffset(), await(engine.readRaw(PID, info.logStartOffset(), Long.MAX_VALUE, 1)).get(0).baseOffset());
      assertThrows(OffsetOutOfRangeException.class, () -> await(engine.readRaw(PID, 0, Long.MAX_VALUE, 1)));
      StorageEngine reopened = fixture.reopen();
      assertEquals(info.logStartOffset(), await(reopened.logInfo(PID)).logStartOffset(), "log start survives a restart");
    }
  }

  @Test
  void retentionByAgeUsesEachSegmentsLargestTimestampAndKeepsTheActiveSegment() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      long now = fixture.clock.millis();
      appendBatches(fixture.engine(), PID, 30, 5, now - 10 * 3_600_000L); // ten hours old
      appendBatches(fixture.engine(), PID, 30, 5, now);
      StorageEngine engine = fixture.engine();
      engine.setRetention(PID, new RetentionPolicy(-1, 3_600_000L));
      LogInfo info = await(engine.enforceRetention(PID));
      assertTrue(info.logStartOffset() > 0 && info.logStartOffset() <= 150, "start " + info.logStartOffset());
      List<RawBatch> first = await(engine.readRaw(PID, info.logStartOffset(), Long.MAX_VALUE, 1));
      assertEquals(info.logStartOffset(), first.get(0).baseOffset());
      // everything old: all sealed segments go, the active one stays
      fixture.clock.advance(Duration.ofDays(1));
      LogInfo later = await(engine.enforceRetention(PID));
      assertEquals(1, later.segmentCount());
      assertEquals(300, later.logEndOffset());
    }
  }

  @Test
  void logsWithoutARetentionPolicyAreNeverTrimmed() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 0);
      int before = segmentFiles(PID).size();
      fixture.clock.advance(Duration.ofDays(3650));
      LogInfo info = await(fixture.engine().enforceRetention(PID));
      assertEquals(before, info.segmentCount());
      assertEquals(0, info.logStartOffset());
    }
  }

  @Test
  void deleteToDropsWholeSegmentsHidesTheRestAndKeepsTheHighestSequenceNumber() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 1_000);
      StorageEngine engine = fixture.engine();
      int before = segmentFiles(PID).size();
      await(engine.deleteTo(PID, 30));
      assertTrue(segmentFiles(PID).size() < before, "whole segments below the mark are deleted");
      assertEquals(31L, replayAll(engine, PID).get(0).sequenceNr(), "entries inside a kept segment are hidden");
      assertEquals(150, await(engine.logInfo(PID)).logStartOffset());
      await(engine.deleteTo(PID, Long.MAX_VALUE));
      assertTrue(replayAll(engine, PID).isEmpty());
      StorageEngine reopened = fixture.reopen();
      assertEquals(60L, await(reopened.highestSequenceNr(PID)));
      assertTrue(replayAll(reopened, PID).isEmpty());
      await(reopened.append(PID, List.of(Entries.batch(61, 300, 5, 2_000, 10))));
      assertEquals(List.of(61L), sequenceNrs(replayAll(reopened, PID)));
    }
  }

  @Test
  void aDamagedIndexFileIsRebuiltNotTrusted() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048).withIndexIntervalBytes(200);
    try (EngineFixture fixture = new EngineFixture(config)) {
      appendBatches(fixture.engine(), PID, 60, 5, 1_000);
      fixture.engine().close();
      try (Stream<Path> files = Files.list(dir.resolve(PID))) {
        for (Path index : files.filter(p -> p.toString().endsWith(".index")).toList()) {
          byte[] content = Files.readAllBytes(index);
          content[content.length / 2] ^= 0x5A;
          Files.write(index, content);
        }
      }
      StorageEngine reopened = fixture.reopen();
      for (long offset = 0; offset < 300; offset += 3) {
        assertEquals(offset / 5 * 5, await(reopened.readRaw(PID, offset, Long.MAX_VALUE, 1)).get(0).baseOffset());
      }
      assertEquals(60, replayAll(reopened, PID).size());
    }
  }

  @Test
  void persistenceIdsThatAreNotSafeFileNamesAreEncodedReversibly() throws Exception {
    String odd = "group/../a b:é";
    String longId = "x".repeat(300);
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(odd, Entries.events(1, 1)));
      await(fixture.engine().append(longId, Entries.events(1, 2)));
      assertEquals(odd, LogFiles.persistenceIdOf(LogFiles.directoryName(odd)));
      assertFalse(LogFiles.directoryName(odd).contains("/"));
      String hashed = LogFiles.directoryName(longId);
      assertTrue(LogFiles.isHashedDirectoryName(hashed));
      assertEquals(longId, Files.readString(dir.resolve(hashed).resolve(LogFiles.PERSISTENCE_ID)));
      StorageEngine reopened = fixture.reopen();
      assertEquals(1, replayAll(reopened, odd).size());
      assertEquals(2, replayAll(reopened, longId).size());
      assertEquals("orders-0", LogFiles.directoryName("orders-0"), "partition ids are used as they are");
    }
  }

  @Test
  void awaitAppendAfterCompletesWhenAWriteLands() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      await(engine.append(PID, Entries.events(1, 1)));
      var waiting = engine.awaitAppendAfter(PID, 1).toCompletableFuture();
      assertFalse(waiting.isDone());
      await(engine.append(PID, Entries.events(2, 2)));
      assertEquals(2L, await(waiting));
    }
  }

  @Test
  void concurrentWritesToOneLogAreAllStoredInSubmissionOrder() {
    try (EngineFixture fixture = new EngineFixture(StorageConfig.defaults(dir).withFsync(FsyncPolicy.ALWAYS))) {
      StorageEngine engine = fixture.engine();
      List<java.util.concurrent.CompletionStage<Void>> writes = new ArrayList<>();
      for (long s = 1; s <= 500; s++) {
        writes.add(engine.append(PID, List.of(Entries.event(s))));
      }
      writes.forEach(EngineFixture::await);
      List<Long> seqs = sequenceNrs(replayAll(engine, PID));
      assertEquals(500, seqs.size());
      for (int i = 0; i < 500; i++) {
        assertEquals(i + 1L, seqs.get(i));
      }
    }
  }
}
