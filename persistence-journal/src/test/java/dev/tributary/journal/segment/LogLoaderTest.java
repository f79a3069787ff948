package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery of a log directory on its own: segment files written directly, damaged the ways a crash
 * or a bad disk does, then loaded.
 */
class LogLoaderTest {

  private static final String PID = "loader-0";

  @TempDir Path root;
  private Path dir;
  private StorageConfig config;
  private LogLoader.LoadedLog loaded;

  /**
   * Three segments of five two-record batches each: sequence numbers 1-5, 6-10 and 11-15, offsets
   * 0-9, 10-19 and 20-29. The first two are sealed (index written); the last is active.
   */
  @BeforeEach
  void writeLog() throws IOException {
    config = StorageConfig.defaults(root);
    dir = root.resolve(PID);
    Files.createDirectories(dir);
    for (long firstSeq : new long[] {1, 6, 11}) {
      Segment s = SegmentFiles.segmentWith(dir, SegmentFiles.batches(firstSeq, (firstSeq - 1) * 2, 5, 2, 80));
      if (firstSeq < 11) {
        s.seal();
      }
      s.close();
    }
  }

  @AfterEach
  void closeLoaded() throws IOException {
    if (loaded != null) {
      loaded.segments().closeAll();
    }
  }

  private LogLoader.LoadedLog load() throws IOException {
    closeLoaded();
    loaded = new LogLoader(PID, dir, config, FileOps.DIRECT).load();
    return loaded;
  }

  @Test
  void anIntactLogLoadsWhole() throws IOException {
    LogLoader.LoadedLog log = load();

    assertEquals(3, log.segments().count());
    assertEquals(15, log.highestSequenceNr());
    assertEquals(0, log.logStartOffset());
    assertEquals(30, log.logEndOffset());
    assertFalse(log.cleanShutdown());
  }

  @Test
  void aTornTailOfTheActiveSegmentIsCutBackToTheLastCompleteWrite() throws IOException {
    Path active = LogFiles.segmentFile(dir, 11);
    long size = Files.size(active);
    try (FileChannel channel = FileChannel.open(active, StandardOpenOption.WRITE)) {
      channel.truncate(size - 10); // half of the last batch (sequence number 15) is lost
    }

    LogLoader.LoadedLog log = load();

    assertEquals(14, log.highestSequenceNr());
    assertEquals(28, log.logEndOffset());
    Segment recovered = log.segments().active();
    assertEquals(Files.size(active), recovered.size(), "the torn bytes are cut from the file");
    assertTrue(SegmentIndex.readFrom(LogFiles.indexFile(dir, 11), recovered.size(),
        config.indexIntervalBytes()).isPresent(), "the rebuilt index is written");
  }

  @Test
  void garbageAfterTheActiveSegmentsLastWriteIsCutOff() throws IOException {
    Path active = LogFiles.segmentFile(dir, 11);
    long size = Files.size(active);
    try (FileChannel channel = FileChannel.open(active, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}), size);
    }

    LogLoader.LoadedLog log = load();

    assertEquals(15, log.highestSequenceNr());
    assertEquals(size, Files.size(active));
  }

  @Test
  void aDamagedIndexIsRebuiltFromItsSegmentEvenAfterACleanShutdown() throws IOException {
    Path index = LogFiles.indexFile(dir, 6);
    byte[] content = Files.readAllBytes(index);
    content[content.length / 2] ^= 0x5a;
    Files.write(index, content);
    Files.write(dir.resolve(LogFiles.CLEAN_SHUTDOWN), new byte[0]);

    LogLoader.LoadedLog log = load();

    assertTrue(log.cleanShutdown());
    assertFalse(Files.exists(dir.resolve(LogFiles.CLEAN_SHUTDOWN)), "the marker is consumed");
    assertEquals(3, log.segments().count());
    assertEquals(15, log.highestSequenceNr());
    assertEquals(30, log.logEndOffset());
    Segment middle = log.segments().all().get(1);
    assertEquals(10, middle.index().firstOffset());
    assertEquals(20, middle.index().nextOffset());
    assertEquals(List.of(14L, 16L, 18L), middle.read(14, 20, Long.MAX_VALUE, true, 0,
        config.maxEntryBytes()).batches().stream().map(RawBatch::baseOffset).toList());
    assertTrue(SegmentIndex.readFrom(index, middle.size(), config.indexIntervalBytes()).isPresent(),
        "the rebuilt index replaces the damaged one");
  }

  @Test
  void aDamagedSealedSegmentDropsEverySegmentAfterIt() throws IOException {
    Path middle = LogFiles.segmentFile(dir, 6);
    try (FileChannel channel = FileChannel.open(middle, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() - 1);
    }

    LogLoader.LoadedLog log = load();

    assertEquals(2, log.segments().count());
    assertEquals(9, log.highestSequenceNr());
    assertEquals(18, log.logEndOffset());
    assertFalse(Files.exists(LogFiles.segmentFile(dir, 11)), "the segment after the damage is gone");
    assertFalse(Files.exists(LogFiles.indexFile(dir, 11)));
  }

  @Test
  void theDeletedToMarkSetsTheLogStart() throws IOException {
    DeletedToMarker.write(dir, 7);

    LogLoader.LoadedLog log = load();

    assertEquals(7, log.deletedToSequenceNr());
    assertEquals(14, log.logStartOffset());
    assertEquals(15, log.highestSequenceNr());
  }

  @Test
  void aNewLogHasNoSegmentsAndNoOffsets() throws IOException {
    dir = root.resolve("new-0");

    LogLoader.LoadedLog log = load();

    assertTrue(Files.isDirectory(dir));
    assertTrue(log.segments().isEmpty());
    assertEquals(0, log.highestSequenceNr());
    assertEquals(-1, log.logStartOffset());
    assertEquals(-1, log.logEndOffset());
  }
}
