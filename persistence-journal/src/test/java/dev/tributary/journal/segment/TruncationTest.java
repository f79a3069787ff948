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
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StorageEngine#truncateTo}: what it removes, what it leaves (bounds, sequence numbers,
 * indexes, epochs, producer snapshots, waiters), and that it holds across a clean restart and a
 * crash. Batches here are of 10 records: batch {@code n} (sequence number {@code n}) holds offsets
 * {@code 10(n-1)} to {@code 10n - 1}, max timestamp {@code 1000 + 10n}.
 */
class TruncationTest {

  private static final String PID = "events-2";

  @TempDir Path dir;

  static JournalEntry batch(long seq, int epoch) {
    return new JournalEntry(seq, true, new OffsetInfo((seq - 1) * 10, 10, 1_000 + seq * 10, epoch),
        1_000 + seq * 10, 7, "batch", Entries.WRITER, "", Optional.empty(), Entries.payload(seq, 400));
  }

  /** Appends batches {@code from..to}, one write each, of leader epoch {@code epoch}. */
  static void append(StorageEngine engine, long from, long to, int epoch) {
    for (long s = from; s <= to; s++) {
      await(engine.append(PID, List.of(batch(s, epoch))));
    }
  }

  static List<Long> sequenceNrs(StorageEngine engine) {
    return sequenceNrs(engine, PID);
  }

  /** The sequence numbers a replay of all of log {@code pid} delivers. */
  static List<Long> sequenceNrs(StorageEngine engine, String pid) {
    List<Long> out = new ArrayList<>();
    await(engine.replay(pid, 1, Long.MAX_VALUE, Long.MAX_VALUE, e -> out.add(e.sequenceNr())));
    return out;
  }

  static List<Long> rawOffsets(StorageEngine engine, long from) {
    return await(engine.readRaw(PID, from, Long.MAX_VALUE, Integer.MAX_VALUE)).stream()
        .map(RawBatch::baseOffset).toList();
  }

  private EngineFixture smallSegments() {
    // two batches a segment (about 500 bytes each)
    return new EngineFixture(StorageConfig.defaults(dir).withSegmentBytes(1024).withIndexIntervalBytes(64));
  }

  private List<String> files(String suffix) throws Exception {
    try (Stream<Path> files = Files.list(dir.resolve(PID))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList();
    }
  }

  /** The checks that must hold after truncating batches 1..10 at offset 45 (to batch 4's end). */
  private static void assertTruncatedTo40(StorageEngine engine) {
    assertEquals(List.of(1L, 2L, 3L, 4L), sequenceNrs(engine));
    assertEquals(4L, await(engine.highestSequenceNr(PID)));
    LogInfo info = await(engine.logInfo(PID));
    assertEquals(0, info.logStartOffset());
    assertEquals(40, info.logEndOffset());
    assertEquals(List.of(0L, 10L, 20L, 30L), rawOffsets(engine, 0));
    assertEquals(List.of(30L), rawOffsets(engine, 35));
    assertEquals(List.of(), rawOffsets(engine, 40));
    assertThrows(OffsetOutOfRangeException.class, () -> rawOffsets(engine, 45));
    assertEquals(OptionalLong.of(30), await(engine.offsetForTimestamp(PID, 1_040)));
    assertEquals(OptionalLong.empty(), await(engine.offsetForTimestamp(PID, 1_041)));
  }

  @Test
  void truncationCutsAtTheStartOfTheBatchHoldingTheOffset() {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 10, 0);
      assertEquals(40L, await(fixture.engine().truncateTo(PID, 45)));
      assertTruncatedTo40(fixture.engine());
      assertTruncatedTo40(fixture.reopen());
      assertTruncatedTo40(fixture.crashAndReopen());
    }
  }

  @Test
  void truncationAtABatchBoundaryKeepsTheBatchBeforeIt() {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 10, 0);
      assertEquals(40L, await(fixture.engine().truncateTo(PID, 40)));
      assertTruncatedTo40(fixture.engine());
    }
  }

  @Test
  void laterSegmentsAreDeletedAndAppendsContinueAfterTheLastRemainingEntry() throws Exception {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 10, 0);
      List<String> before = files(".log");
      assertTrue(before.size() >= 4, "the test needs several segments: " + before);
      await(fixture.engine().truncateTo(PID, 45));
      List<String> after = files(".log");
      assertTrue(after.size() < before.size());
      assertEquals(before.subList(0, after.size()), after, "only the newest segments went");
      // The partition writer restarts from the highest sequence number and numbers on from it.
      append(fixture.engine(), 5, 12, 0);
      assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L), sequenceNrs(fixture.engine()));
      assertEquals(120, await(fixture.engine().logInfo(PID)).logEndOffset());
      StorageEngine reopened = fixture.crashAndReopen();
      assertEquals(12L, await(reopened.highestSequenceNr(PID)));
      assertEquals(List.of(40L, 50L, 60L), rawOffsets(reopened, 40).subList(0, 3));
    }
  }

  @Test
  void aSequenceNumberReusedAfterTruncationIsTheNewEntryNotTheOldOne() {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 6, 0);
      await(fixture.engine().truncateTo(PID, 30));
      JournalEntry replacement = new JournalEntry(4, true, new OffsetInfo(30, 3, 9_999, 1), 9_999, 7,
          "batch", Entries.WRITER, "", Optional.empty(), Entries.payload(444, 50));
      await(fixture.engine().append(PID, List.of(replacement)));
      assertHoldsTheReplacement(fixture.engine());
      assertHoldsTheReplacement(fixture.crashAndReopen());
    }
  }

  private static void assertHoldsTheReplacement(StorageEngine engine) {
    List<JournalEntry> replayed = new ArrayList<>();
    await(engine.replay(PID, 4, 4, 10, replayed::add));
    assertEquals(1, replayed.size());
    assertEquals(444L, Entries.sequenceOf(replayed.get(0).payload()));
    assertEquals(33, await(engine.logInfo(PID)).logEndOffset());
  }

  @Test
  void truncatingAtOrAboveTheLogEndChangesNothing() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      assertEquals(-1L, await(fixture.engine().truncateTo(PID, 0)), "a log without batches");
      append(fixture.engine(), 1, 3, 0);
      assertEquals(30L, await(fixture.engine().truncateTo(PID, 30)));
      assertEquals(30L, await(fixture.engine().truncateTo(PID, 1_000)));
      assertEquals(List.of(1L, 2L, 3L), sequenceNrs(fixture.engine()));
    }
  }

  @Test
  void aNegativeOffsetIsRefusedWithWhatToDo() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> await(fixture.engine().truncateTo(PID, -1)));
      assertTrue(e.getMessage().contains("0 or more"), e.getMessage());
    }
  }

  @Test
  void truncatingAtOrBelowTheLogStartEmptiesTheLogWhichThenStartsThere() {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 8, 0);
      await(fixture.engine().deleteTo(PID, 4)); // the log now starts at 40
      assertEquals(40, await(fixture.engine().logInfo(PID)).logStartOffset());
      assertEquals(25L, await(fixture.engine().truncateTo(PID, 25)));
      assertEmptyAt25(fixture.engine());
      assertEmptyAt25(fixture.reopen());
      assertEmptyAt25(fixture.crashAndReopen());
      StorageEngine engine = fixture.engine();
      JournalEntry below = new JournalEntry(1, true, new OffsetInfo(20, 5, 1, 3), 1, 7, "batch",
          Entries.WRITER, "", Optional.empty(), Entries.payload(1, 10));
      assertThrows(IllegalArgumentException.class, () -> await(engine.append(PID, List.of(below))));
      JournalEntry at = new JournalEntry(1, true, new OffsetInfo(25, 5, 1, 3), 1, 7, "batch",
          Entries.WRITER, "", Optional.empty(), Entries.payload(1, 10));
      await(engine.append(PID, List.of(at)));
      assertEquals(List.of(25L), rawOffsets(engine, 25));
      assertEquals(List.of(new EpochEntry(3, 25)), await(engine.leaderEpochs(PID)));
      LogInfo info = await(fixture.crashAndReopen().logInfo(PID));
      assertEquals(25, info.logStartOffset());
      assertEquals(30, info.logEndOffset());
    }
  }

  private static void assertEmptyAt25(StorageEngine engine) {
    LogInfo info = await(engine.logInfo(PID));
    assertEquals(25, info.logStartOffset());
    assertEquals(25, info.logEndOffset());
    assertEquals(0, info.highestSequenceNr());
    assertEquals(0, info.deletedToSequenceNr());
    assertEquals(0, info.segmentCount());
    assertEquals(List.of(), sequenceNrs(engine));
    assertEquals(List.of(), rawOffsets(engine, 25));
    assertEquals(List.of(), await(engine.leaderEpochs(PID)));
  }

  @Test
  void truncationInsideAnAtomicWriteKeepsItsFirstBatchesThroughACrash() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(PID, List.of(batch(1, 0))));
      // One atomic write of three batches, as the partition writer persists a list.
      // Only its last entry carries the end-of-atomic-write flag, as TributaryJournal writes it.
      await(fixture.engine().append(PID, List.of(batch(2, 0).withEndOfAtomicWrite(false),
          batch(3, 0).withEndOfAtomicWrite(false), batch(4, 0))));
      assertEquals(30L, await(fixture.engine().truncateTo(PID, 35)));
      // A crash makes recovery scan: the kept batch 3 must now end an atomic write.
      StorageEngine reopened = fixture.crashAndReopen();
      assertEquals(List.of(1L, 2L, 3L), sequenceNrs(reopened));
      assertEquals(30, await(reopened.logInfo(PID)).logEndOffset());
    }
  }

  @Test
  void truncationIsDurableUnderFsyncNever() {
    try (EngineFixture fixture = new EngineFixture(
        StorageConfig.defaults(dir).withFsync(FsyncPolicy.NEVER).withSegmentBytes(1024))) {
      append(fixture.engine(), 1, 10, 0);
      await(fixture.engine().truncateTo(PID, 45));
      assertTruncatedTo40(fixture.crashAndReopen());
    }
  }

  @Test
  void aTruncationThatFailsTakesTheLogOfflineAndReopeningFinishesIt() {
    FaultyDisk disk = new FaultyDisk();
    try (EngineFixture fixture = new EngineFixture(
        StorageConfig.defaults(dir).withSegmentBytes(1024).withIndexIntervalBytes(64), disk)) {
      StorageEngine engine = fixture.engine();
      append(engine, 1, 10, 0);
      disk.failTruncates();
      // Batch 4 is the second of its segment: the segment file is cut, and that fails.
      assertThrows(LogOfflineException.class, () -> await(engine.truncateTo(PID, 35)));
      assertTrue(engine.offlineReason(PID).isPresent());
      assertThrows(LogOfflineException.class, () -> append(engine, 11, 11, 0));
      disk.heal();
      assertTrue(await(engine.reopenIfOffline(PID)));
      assertEquals(List.of(1L, 2L, 3L), sequenceNrs(engine));
      assertEquals(30, await(engine.logInfo(PID)).logEndOffset());
      append(engine, 4, 4, 0);
      assertEquals(40, await(engine.logInfo(PID)).logEndOffset());
    }
  }

  @Test
  void producerSnapshotsAboveTheNewEndAreDeleted() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      append(fixture.engine(), 1, 6, 0);
      await(fixture.engine().writeProducerSnapshot(PID, 20, new byte[] {1}));
      await(fixture.engine().writeProducerSnapshot(PID, 50, new byte[] {2}));
      await(fixture.engine().truncateTo(PID, 40));
      assertEquals(List.of(LogFiles.producerSnapshotFile(dir.resolve(PID), 20).getFileName().toString()),
          files(LogFiles.PRODUCER_SNAPSHOT_SUFFIX));
      assertEquals(20, await(fixture.engine().latestProducerSnapshot(PID, Long.MAX_VALUE)).orElseThrow().offset());
      await(fixture.engine().truncateTo(PID, 0));
      assertEquals(List.of(), files(LogFiles.PRODUCER_SNAPSHOT_SUFFIX), "an emptied log keeps none");
    }
  }

  @Test
  void waitersForLaterEntriesFailWithLogTruncatedInsteadOfWaitingOn() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      append(fixture.engine(), 1, 5, 0);
      CompletableFuture<Long> waiting = fixture.engine().awaitAppendAfter(PID, 5).toCompletableFuture();
      assertFalse(waiting.isDone());
      await(fixture.engine().truncateTo(PID, 20));
      ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
      Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
      LogTruncatedException truncated = assertInstanceOf(LogTruncatedException.class, cause);
      assertEquals(20, truncated.logEndOffset());
      assertEquals(2, truncated.highestSequenceNr());
      // A new waiter waits for the next write as before.
      CompletableFuture<Long> next = fixture.engine().awaitAppendAfter(PID, 2).toCompletableFuture();
      append(fixture.engine(), 3, 3, 0);
      assertEquals(3L, next.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aWaiterThatComesAfterATruncationBelowWhatItSawFailsAtOnce() throws Exception {
    // A reader saw sequence number 5, then the log was cut to 2 before it began to wait: the cut's
    // signal went to no one, so the wait itself must notice (PluginIntegrationTest raced on this).
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      append(fixture.engine(), 1, 5, 0);
      await(fixture.engine().truncateTo(PID, 20));
      CompletableFuture<Long> late = fixture.engine().awaitAppendAfter(PID, 5).toCompletableFuture();
      ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
      Throwable cause = e.getCause() instanceof java.util.concurrent.CompletionException c ? c.getCause() : e.getCause();
      assertEquals(2, assertInstanceOf(LogTruncatedException.class, cause).highestSequenceNr());
    }
  }

  private static <T> T assertInstanceOf(Class<T> type, Throwable t) {
    assertTrue(type.isInstance(t), "expected " + type.getSimpleName() + " but got " + t);
    return type.cast(t);
  }

  @Test
  void theEpochCacheFollowsAppendsAndTruncationAndSurvivesARestart() {
    try (EngineFixture fixture = smallSegments()) {
      StorageEngine engine = fixture.engine();
      append(engine, 1, 2, 0);
      append(engine, 3, 4, 2);
      append(engine, 5, 6, 5);
      List<EpochEntry> three = List.of(new EpochEntry(0, 0), new EpochEntry(2, 20), new EpochEntry(5, 40));
      assertEquals(three, await(engine.leaderEpochs(PID)));
      assertEquals(new EpochEndOffset(2, 40), await(engine.endOffsetForEpoch(PID, 2)));
      assertEquals(new EpochEndOffset(5, 60), await(engine.endOffsetForEpoch(PID, 5)));
      assertEquals(three, await(fixture.reopen().leaderEpochs(PID)));

      assertEquals(40L, await(fixture.engine().truncateTo(PID, 45)));
      List<EpochEntry> two = List.of(new EpochEntry(0, 0), new EpochEntry(2, 20));
      assertEquals(two, await(fixture.engine().leaderEpochs(PID)));
      assertEquals(new EpochEndOffset(2, 40), await(fixture.engine().endOffsetForEpoch(PID, 2)));
      assertEquals(java.util.OptionalInt.of(2), await(fixture.engine().latestEpoch(PID)));
      assertEquals(two, await(fixture.crashAndReopen().leaderEpochs(PID)));

      append(fixture.engine(), 5, 5, 3);
      assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 20), new EpochEntry(3, 40)),
          await(fixture.reopen().leaderEpochs(PID)));
    }
  }

  @Test
  void aBatchOfALowerEpochIsStoredButNotCached() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      append(fixture.engine(), 1, 1, 4);
      append(fixture.engine(), 2, 2, 3);
      assertEquals(List.of(new EpochEntry(4, 0)), await(fixture.engine().leaderEpochs(PID)));
      assertEquals(List.of(1L, 2L), sequenceNrs(fixture.engine()));
    }
  }

  @Test
  void retentionMovesTheFirstEpochsStartUpToTheNewLogStart() {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 3, 1);
      append(fixture.engine(), 4, 8, 2);
      await(fixture.engine().deleteTo(PID, 5));
      long start = await(fixture.engine().logInfo(PID)).logStartOffset();
      assertTrue(start > 30, "the test needs retention to pass epoch 2's start: " + start);
      assertEquals(List.of(new EpochEntry(2, start)), await(fixture.engine().leaderEpochs(PID)));
      assertEquals(List.of(new EpochEntry(2, start)), await(fixture.reopen().leaderEpochs(PID)));
    }
  }

  /** Damages the checkpoint file with {@code damage}; the next open rebuilds what appends built. */
  private void assertRebuiltAfter(Function<Path, String> damage) throws Exception {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 2, 0);
      append(fixture.engine(), 3, 3, 4);
      append(fixture.engine(), 4, 6, 7);
      List<EpochEntry> built = await(fixture.engine().leaderEpochs(PID));
      assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(4, 20), new EpochEntry(7, 30)), built);
      fixture.engine().close();
      Path checkpoint = dir.resolve(PID).resolve(LogFiles.LEADER_EPOCH_CHECKPOINT);
      String text = damage.apply(checkpoint);
      if (text == null) {
        Files.delete(checkpoint);
      } else {
        Files.writeString(checkpoint, text);
      }
      assertEquals(built, await(fixture.reopen().leaderEpochs(PID)));
      assertEquals(built, LeaderEpochCheckpointFile.read(dir.resolve(PID)).orElseThrow(), "written again");
    }
  }

  @Test
  void aMissingCheckpointIsRebuiltFromTheLog() throws Exception {
    assertRebuiltAfter(file -> null);
  }

  @Test
  void aCorruptCheckpointIsRebuiltFromTheLog() throws Exception {
    assertRebuiltAfter(file -> "0\n2\n0 zero\n");
  }

  @Test
  void aCheckpointEndingBeyondTheLogEndIsRebuiltFromTheLog() throws Exception {
    assertRebuiltAfter(file -> "0\n4\n0 0\n4 20\n7 30\n9 70\n");
  }

  @Test
  void aCheckpointMissingTheLogsNewestEpochIsRebuiltFromTheLog() throws Exception {
    assertRebuiltAfter(file -> "0\n1\n0 0\n");
  }

  @Test
  void anExistingLogWithoutACheckpointGetsOneAtItsFirstOpen() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      append(fixture.engine(), 1, 2, 0);
      fixture.engine().close();
      Files.delete(dir.resolve(PID).resolve(LogFiles.LEADER_EPOCH_CHECKPOINT));
      assertEquals(List.of(new EpochEntry(0, 0)), await(fixture.reopen().leaderEpochs(PID)));
      assertTrue(Files.exists(dir.resolve(PID).resolve(LogFiles.LEADER_EPOCH_CHECKPOINT)));
    }
  }

  @Test
  void aLogOfOneEpochOverManySegmentsIsRebuiltFromItsFirstAndLastBatch() throws Exception {
    try (EngineFixture fixture = smallSegments()) {
      append(fixture.engine(), 1, 9, 2);
      await(fixture.engine().deleteTo(PID, 3)); // the log now starts at 30
      fixture.engine().close();
      Files.delete(dir.resolve(PID).resolve(LogFiles.LEADER_EPOCH_CHECKPOINT));
      assertEquals(List.of(new EpochEntry(2, 30)), await(fixture.reopen().leaderEpochs(PID)));
    }
  }

  @Test
  void aLogOfEventsWithoutOffsetsHasNoEpochsAndNoCheckpoint() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().append(PID, Entries.events(1, 3)));
      assertEquals(List.of(), await(fixture.engine().leaderEpochs(PID)));
      assertEquals(EpochEndOffset.UNDEFINED, await(fixture.engine().endOffsetForEpoch(PID, 0)));
      assertFalse(Files.exists(dir.resolve(PID).resolve(LogFiles.LEADER_EPOCH_CHECKPOINT)));
    }
  }
}
