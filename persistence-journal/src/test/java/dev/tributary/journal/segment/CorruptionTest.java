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
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages the active segment the ways a crash or a bad disk does, then recovers: every atomic
 * write wholly before the damage reads back, nothing after it does, and appends continue with the
 * next sequence number.
 */
class CorruptionTest {

  private static final String PID = "payments-3";
  private static final int WRITES = 40;

  @TempDir Path dir;

  private Path original;
  /** End byte position of each atomic write, and its last sequence number. */
  private final List<long[]> writeEnds = new ArrayList<>();

  @BeforeEach
  void writeAnOriginalLog() {
    original = dir.resolve("original");
    Random random = new Random(42);
    try (EngineFixture fixture = EngineFixture.in(original)) {
      long seq = 1;
      long position = 0;
      long offset = 0;
      for (int w = 0; w < WRITES; w++) {
        int entries = 1 + random.nextInt(3);
        List<JournalEntry> write = new ArrayList<>();
        for (int e = 0; e < entries; e++) {
          JournalEntry entry = Entries.batch(seq, offset, 2, 1_000 + seq, 20 + random.nextInt(200))
              .withEndOfAtomicWrite(e == entries - 1);
          write.add(entry);
          position += EntryCodec.encodedSize(entry);
          seq++;
          offset += 2;
        }
        await(fixture.engine().append(PID, write));
        writeEnds.add(new long[] {position, seq - 1});
      }
    }
  }

  /** A copy of the original log as a crash would leave it: no clean-shutdown marker. */
  private Path crashedCopy(String name) throws IOException {
    Path copy = dir.resolve(name);
    Path from = original.resolve(PID);
    Path to = copy.resolve(PID);
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().equals(LogFiles.CLEAN_SHUTDOWN)) {
          Files.copy(f, to.resolve(f.getFileName()));
        }
      }
    }
    return copy;
  }

  private static Path segment(Path root) {
    return root.resolve(PID).resolve(LogFiles.segmentFileName(1));
  }

  /** The last sequence number of the atomic writes that end at or before {@code position}. */
  private long lastIntactSequenceNr(long position) {
    long last = 0;
    for (long[] end : writeEnds) {
      if (end[0] <= position) {
        last = end[1];
      }
    }
    return last;
  }

  private void assertRecoversTo(Path root, long expectedLast) {
    try (EngineFixture fixture = EngineFixture.in(root)) {
      StorageEngine engine = fixture.engine();
      List<JournalEntry> replayed = new ArrayList<>();
      await(engine.replay(PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, replayed::add));
      assertEquals(expectedLast, replayed.size(), "entries kept");
      for (int i = 0; i < replayed.size(); i++) {
        JournalEntry e = replayed.get(i);
        assertEquals(i + 1L, e.sequenceNr());
        assertEquals(i + 1L, Entries.sequenceOf(e.payload()), "payload of entry " + (i + 1));
      }
      assertEquals(expectedLast, await(engine.highestSequenceNr(PID)));
      long nextOffset = expectedLast * 2;
      await(engine.append(PID, List.of(Entries.batch(expectedLast + 1, nextOffset, 2, 5_000, 30))));
      List<JournalEntry> after = new ArrayList<>();
      await(engine.replay(PID, expectedLast + 1, Long.MAX_VALUE, 10, after::add));
      assertEquals(List.of(expectedLast + 1), after.stream().map(JournalEntry::sequenceNr).toList());
      if (expectedLast > 0) {
        assertEquals(nextOffset - 2, await(engine.readRaw(PID, nextOffset - 1, Long.MAX_VALUE, 1)).get(0).baseOffset());
      }
    }
  }

  @Test
  void cuttingTheActiveSegmentAnywhereKeepsExactlyTheCompleteAtomicWritesBeforeTheCut() throws Exception {
    long size = Files.size(segment(original));
    List<Long> cuts = new ArrayList<>(List.of(0L, 1L, 8L, 52L, 53L, size - 1, size));
    writeEnds.forEach(end -> { cuts.add(end[0]); cuts.add(end[0] - 1); cuts.add(end[0] + 1); });
    Random random = new Random(7);
    for (int i = 0; i < 40; i++) {
      cuts.add((long) random.nextInt((int) size));
    }
    int n = 0;
    for (long cut : cuts) {
      if (cut < 0 || cut > size) {
        continue;
      }
      Path copy = crashedCopy("cut-" + n++);
      try (FileChannel channel = FileChannel.open(segment(copy), StandardOpenOption.WRITE)) {
        channel.truncate(cut);
      }
      assertRecoversTo(copy, lastIntactSequenceNr(cut));
    }
  }

  @Test
  void garbageOverTheLastEntriesIsCutOffAtTheFirstBadByte() throws Exception {
    long size = Files.size(segment(original));
    Random random = new Random(11);
    for (int lastWrites = 1; lastWrites <= 5; lastWrites++) {
      long damageFrom = writeEnds.get(WRITES - 1 - lastWrites)[0] + random.nextInt(20);
      Path copy = crashedCopy("garbage-" + lastWrites);
      byte[] garbage = new byte[(int) (size - damageFrom)];
      random.nextBytes(garbage);
      try (FileChannel channel = FileChannel.open(segment(copy), StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(garbage), damageFrom);
      }
      assertRecoversTo(copy, lastIntactSequenceNr(damageFrom));
    }
  }

  @Test
  void aSingleFlippedBitInTheMiddleTruncatesFromThatEntry() throws Exception {
    long[] middle = writeEnds.get(WRITES / 2);
    Path copy = crashedCopy("bitflip");
    try (FileChannel channel = FileChannel.open(segment(copy), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      long at = middle[0] + 60; // inside the first entry of the next atomic write
      channel.read(one, at);
      one.put(0, (byte) (one.get(0) ^ 0x01)).rewind();
      channel.write(one, at);
    }
    assertRecoversTo(copy, middle[1]);
    assertTrue(middle[1] < writeEnds.get(WRITES - 1)[1]);
  }
}
