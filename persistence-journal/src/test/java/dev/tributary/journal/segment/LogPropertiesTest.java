package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A log's own properties survive restarts; a quarantined log is set aside whole and its id starts empty. */
class LogPropertiesTest {

  private static final String PID = "orders-0";

  @TempDir Path dir;

  @Test
  void propertiesAreEmptyUntilSetAndSurviveCleanAndUncleanRestarts() {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      assertEquals(Map.of(), await(fixture.engine().logProperties(PID)));
      Map<String, String> props = Map.of("topic.id", "a1b2=c3:d4 e5", "other", "x\ny");
      await(fixture.engine().setLogProperties(PID, props));
      assertEquals(props, await(fixture.reopen().logProperties(PID)));
      assertEquals(props, await(fixture.crashAndReopen().logProperties(PID)));
      await(fixture.engine().setLogProperties(PID, Map.of("topic.id", "z")));
      assertEquals(Map.of("topic.id", "z"), await(fixture.reopen().logProperties(PID)));
    }
  }

  @Test
  void aDamagedPropertiesFileFailsTheLogWithTheFileNamed() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      await(fixture.engine().setLogProperties(PID, Map.of("topic.id", "t")));
      fixture.engine().close();
      // a lone backslash-u with no hex digits is what Properties refuses
      Files.writeString(dir.resolve(PID).resolve(LogFiles.LOG_PROPERTIES), "topic.id=\\u00zz\n");
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
          () -> await(fixture.reopen().logProperties(PID)));
      assertTrue(e.getMessage().contains(LogFiles.LOG_PROPERTIES), e.getMessage());
    }
  }

  @Test
  void aQuarantinedLogIsMovedWholeAndItsIdStartsEmpty() throws Exception {
    try (EngineFixture fixture = EngineFixture.in(dir)) {
      StorageEngine engine = fixture.engine();
      await(engine.setLogProperties(PID, Map.of("topic.id", "old")));
      await(engine.append(PID, List.of(Entries.batch(1, 0, 10, 1_000, 100))));
      await(engine.append(PID, List.of(Entries.batch(2, 10, 5, 2_000, 100))));

      Path moved = await(engine.quarantineLog(PID));

      assertEquals(dir.resolve(LogFiles.QUARANTINE_DIRECTORY), moved.getParent());
      assertTrue(Files.exists(moved.resolve(LogFiles.segmentFileName(1))), "the old segment went along");
      assertEquals("topic.id=old", Files.readAllLines(moved.resolve(LogFiles.LOG_PROPERTIES)).get(1));
      LogInfo fresh = await(engine.logInfo(PID));
      assertEquals(-1, fresh.logEndOffset(), "the id now names a new, empty log");
      assertEquals(0, await(engine.highestSequenceNr(PID)));
      assertEquals(Map.of(), await(engine.logProperties(PID)));
      assertFalse(Files.exists(dir.resolve(PID).resolve(LogFiles.segmentFileName(1))));

      // the new log takes appends from sequence number 1 and offset 0 again
      await(engine.append(PID, List.of(Entries.batch(1, 0, 3, 3_000, 100))));
      assertEquals(3, await(fixture.reopen().logInfo(PID)).logEndOffset());
    }
  }
}
