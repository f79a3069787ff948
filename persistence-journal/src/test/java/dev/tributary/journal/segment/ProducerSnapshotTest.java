package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine's per-log producer snapshot files: written, found, pruned, and damaged ones ignored. */
class ProducerSnapshotTest {

  private static final String PID = "orders-0";

  @TempDir Path dir;

  /** {@code n} batches of {@code records} records each, continuing the log. */
  private static void appendBatches(StorageEngine engine, int n, int records) {
    long seq = await(engine.highestSequenceNr(PID)) + 1;
    long offset = Math.max(0, await(engine.logInfo(PID)).logEndOffset());
    for (int i = 0; i < n; i++) {
      await(engine.append(PID, List.of(Entries.batch(seq + i, offset + (long) i * records, records, 1_000 + i, 100))));
    }
  }

  private static byte[] content(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<Long> snapshotOffsets() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve(PID))) {
      return files.map(f -> LogFiles.parseProducerSnapshotFileName(f.getFileName().toString()))
          .filter(o -> o.isPresent()).map(o -> o.getAsLong()).sorted().toList();
    }
  }

  @Test
  void theNewestSnapshotAtOrBelowAnOffsetReadsBackAndOnlyTheTwoNewestAreKept() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 10, 1);
      await(engine.writeProducerSnapshot(PID, 3, content("at 3")));
      await(engine.writeProducerSnapshot(PID, 5, content("at 5")));
      await(engine.writeProducerSnapshot(PID, 8, content("at 8")));
      assertEquals(List.of(5L, 8L), snapshotOffsets());
      assertTrue(Files.exists(dir.resolve(PID).resolve("00000000000000000008.snapshot")), "named by its offset");

      ProducerSnapshot latest = await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)).orElseThrow();
      assertEquals(8, latest.offset());
      assertArrayEquals(content("at 8"), latest.content());
      assertEquals(5, await(engine.latestProducerSnapshot(PID, 7)).orElseThrow().offset());
      assertEquals(Optional.empty(), await(engine.latestProducerSnapshot(PID, 4)));

      StorageEngine reopened = fixture.reopen();
      assertArrayEquals(content("at 8"), await(reopened.latestProducerSnapshot(PID, 10)).orElseThrow().content(),
          "snapshots survive a restart");
    }
  }

  @Test
  void aSnapshotAboveTheLogEndIsRefusedAndOneLeftThereIsDeleted() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 10, 1);
      assertThrows(IllegalArgumentException.class, () -> await(engine.writeProducerSnapshot(PID, 11, content("x"))));
      await(engine.writeProducerSnapshot(PID, 10, content("at the end")));
      // as a crash that lost the log's tail after the snapshot was written would leave it
      Files.copy(LogFiles.producerSnapshotFile(dir.resolve(PID), 10), LogFiles.producerSnapshotFile(dir.resolve(PID), 50));
      assertEquals(10, await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)).orElseThrow().offset());
      assertEquals(List.of(10L), snapshotOffsets(), "the one above the log end is gone");
    }
  }

  @Test
  void anEmptyLogTakesASnapshotAtOffsetZero() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().writeProducerSnapshot(PID, 0, new byte[0]));
      ProducerSnapshot snapshot = await(fixture.reopen().latestProducerSnapshot(PID, 0)).orElseThrow();
      assertEquals(0, snapshot.offset());
      assertEquals(0, snapshot.content().length);
    }
  }

  @Test
  void retentionDeletesTheSnapshotsBelowTheNewLogStart() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 30, 5);
      await(engine.writeProducerSnapshot(PID, 20, content("early")));
      appendBatches(engine, 30, 5);
      await(engine.writeProducerSnapshot(PID, 300, content("at the end")));
      engine.setRetention(PID, new RetentionPolicy(4096, -1));
      LogInfo info = await(engine.enforceRetention(PID));
      assertTrue(info.logStartOffset() > 20, "retention moved the log start past 20: " + info.logStartOffset());
      assertEquals(List.of(300L), snapshotOffsets());
    }
  }

  @Test
  void aSnapshotBelowTheLogStartIsNeverHandedOut() throws Exception {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 60, 5);
      await(engine.writeProducerSnapshot(PID, 20, content("early")));
      await(engine.deleteTo(PID, 40)); // moves the log start without retention
      assertTrue(await(engine.logInfo(PID)).logStartOffset() > 20);
      assertEquals(Optional.empty(), await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)));
    }
  }

  @Test
  void segmentRollsCountEverySealedSegment() {
    StorageConfig config = StorageConfig.defaults(dir).withSegmentBytes(2048);
    try (EngineFixture fixture = new EngineFixture(config)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 1, 1);
      assertEquals(0, engine.segmentRolls(PID), "the first segment is no roll");
      appendBatches(engine, 60, 1);
      long segments = await(engine.logInfo(PID)).segmentCount();
      assertTrue(segments > 2);
      assertEquals(segments - 1, engine.segmentRolls(PID));
    }
  }

  // ------------------------------------------------------------------ damaged files

  /**
   * Damages the newest snapshot every way a crash or a bad disk does (cut at every length,
   * a flipped bit in every byte, garbage, a wrong version): the loader falls back to the older
   * one and the damaged file is deleted; with no older one there is no snapshot at all.
   */
  @Test
  void aDamagedSnapshotIsIgnoredForTheNextOlderOne() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 10, 1);
      byte[] newest = content("the producer states at offset 8, as the broker encodes them");
      Path file = LogFiles.producerSnapshotFile(dir.resolve(PID), 8);
      int size = ProducerSnapshotFiles.HEADER_BYTES + newest.length;
      int cases = 0;
      for (int damage = 0; damage < 2 * size + 2; damage++) {
        await(engine.writeProducerSnapshot(PID, 5, content("older")));
        await(engine.writeProducerSnapshot(PID, 8, newest));
        byte[] bytes = Files.readAllBytes(file);
        if (damage < size) {
          bytes = java.util.Arrays.copyOf(bytes, damage); // torn: cut at every length
        } else if (damage < 2 * size) {
          int at = damage - size;
          bytes[at] ^= (byte) (1 << (at % 8)); // one flipped bit in every byte
        } else if (damage == 2 * size) {
          java.util.Arrays.fill(bytes, ProducerSnapshotFiles.HEADER_BYTES, bytes.length, (byte) 0x5A);
        } else {
          bytes[0] = 2; // a version this code does not know
        }
        Files.write(file, bytes);
        ProducerSnapshot found = await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)).orElseThrow();
        assertEquals(5, found.offset(), "damage " + damage + " is noticed");
        assertArrayEquals(content("older"), found.content());
        assertFalse(Files.exists(file), "damage " + damage + ": the damaged file is deleted");
        cases++;
      }
      assertEquals(2 * size + 2, cases);
      Files.write(LogFiles.producerSnapshotFile(dir.resolve(PID), 5), new byte[] {1, 0, 0});
      assertEquals(Optional.empty(), await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)),
          "no intact snapshot: the caller reads the whole log");
    }
  }

  @Test
  void aTemporaryFileLeftByACrashIsNotASnapshot() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      appendBatches(engine, 10, 1);
      await(engine.writeProducerSnapshot(PID, 4, content("intact")));
      Path tmp = dir.resolve(PID).resolve("00000000000000000009.snapshot" + LogFiles.TEMPORARY_SUFFIX);
      Files.write(tmp, content("half"));
      assertEquals(4, await(engine.latestProducerSnapshot(PID, Long.MAX_VALUE)).orElseThrow().offset());
      assertFalse(Files.exists(tmp));
    }
  }
}
