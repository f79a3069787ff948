package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCheckpointFileTest {

  @TempDir Path dir;

  private void store(String text) throws IOException {
    Files.writeString(dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT), text, StandardCharsets.UTF_8);
  }

  @Test
  void entriesAreWrittenInKafkasCheckpointFormatAndReadBack() throws IOException {
    List<EpochEntry> entries = List.of(new EpochEntry(0, 0), new EpochEntry(3, 1200));
    LeaderEpochCheckpointFile.write(dir, entries);
    assertEquals("0\n2\n0 0\n3 1200\n",
        Files.readString(dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT), StandardCharsets.US_ASCII));
    assertEquals(Optional.of(entries), LeaderEpochCheckpointFile.read(dir));
    assertTrue(Files.notExists(dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT + LogFiles.TEMPORARY_SUFFIX)));
  }

  @Test
  void anEmptyCacheIsAFileWithNoEntries() throws IOException {
    LeaderEpochCheckpointFile.write(dir, List.of());
    assertEquals(Optional.of(List.of()), LeaderEpochCheckpointFile.read(dir));
  }

  @Test
  void aMissingFileReadsAsNone() throws IOException {
    assertEquals(Optional.empty(), LeaderEpochCheckpointFile.read(dir));
  }

  @Test
  void aDamagedFileIsRefusedWithWhatIsWrong() throws IOException {
    for (String damaged : List.of(
        "",                      // empty
        "0\n",                   // no count
        "1\n1\n0 0\n",           // another version
        "0\n2\n0 0\n",           // fewer entries than it says
        "0\n1\n0 0\n1 5\n",      // more
        "0\n1\n0\n",             // no offset
        "0\n1\nx 0\n",           // not a number
        "0\n1\n0 -4\n",          // a negative offset
        "0\n2\n3 0\n2 10\n",     // epochs going down
        "0\n2\n1 10\n2 10\n",    // offsets not rising
        "0\n1\n0 0\u00e9\n")) {  // not ASCII
      store(damaged);
      IOException e = assertThrows(IOException.class, () -> LeaderEpochCheckpointFile.read(dir),
          "accepted: " + damaged);
      assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }
  }
}
