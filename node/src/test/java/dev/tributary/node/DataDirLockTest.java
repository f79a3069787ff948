package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One holder per data directory within this JVM too, where file locks would overlap. */
class DataDirLockTest {

  @TempDir Path dir;

  @Test
  void aSecondLockInTheSameProcessIsRefusedNamingTheDirectoryUntilTheFirstIsReleased() throws Exception {
    Path data = dir.resolve("data");
    long pid = ProcessHandle.current().pid();
    try (DataDirLock first = DataDirLock.acquire(data)) {
      assertTrue(Files.readString(data.resolve(DataDirLock.FILE)).startsWith(pid + "@"), "the holder's pid is in the file");
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(data));
      assertTrue(refused.getMessage().contains(data.toAbsolutePath().toString()), refused.getMessage());
      assertTrue(refused.getMessage().contains("this process (pid " + pid + ")"), refused.getMessage());
      // Another spelling of the same directory is the same directory.
      assertThrows(IllegalStateException.class, () -> DataDirLock.acquire(data.resolve("..").resolve("data")));
    }
    DataDirLock.acquire(data).close();
  }

  @Test
  void aBrokerOnADataDirectoryInUseInThisProcessIsRefusedBeforeItStarts() {
    Path data = dir.resolve("data");
    try (DataDirLock held = DataDirLock.acquire(data)) {
      BrokerSettings settings = BrokerSettings.defaults().withDataDir(data).withPort(0);
      IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Broker.start(settings));
      assertTrue(refused.getMessage().contains("in use by another broker in this process"), refused.getMessage());
      assertEquals(false, Files.exists(data.resolve(DataDirOwner.FILE)), "the refused broker wrote nothing");
    }
  }

  @Test
  void aBadSettingIsRefusedBeforeTheDataDirectoryIsTouched() {
    Path data = dir.resolve("data");
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(data).withPort(0)
        .with("tributary.journal.fsync", "sometimes");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Broker.start(settings));
    assertTrue(refused.getMessage().contains("sometimes"), refused.getMessage());
    assertEquals(false, Files.exists(data), "neither locked nor created");
  }
}
