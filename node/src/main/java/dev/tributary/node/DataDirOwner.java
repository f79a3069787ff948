package dev.tributary.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Binds a data directory to the broker id that wrote it, as Kafka's {@code meta.properties} does:
 * partitions are placed on broker ids, so a broker started on another broker's data under a
 * different id would never serve them (they would wait for the old id forever).
 */
final class DataDirOwner {

  static final String FILE = "broker-id";

  private DataDirOwner() {}

  /**
   * Records {@code brokerId} as the owner of {@code dataDir} the first time; refuses a different id
   * afterwards with what to do about it.
   *
   * @throws IllegalStateException when the directory belongs to another broker id
   */
  static void claim(Path dataDir, int brokerId) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String owner = Files.readString(file).trim();
        if (!owner.equals(Integer.toString(brokerId))) {
          throw new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " belongs to broker " + owner
              + ", not " + brokerId + ": start with --node-id " + owner + ", or give this broker its own --data-dir");
        }
        return;
      }
      Files.createDirectories(dataDir);
      Path tmp = dataDir.resolve(FILE + ".tmp");
      Files.writeString(tmp, brokerId + "\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not record the broker id in " + dataDir.toAbsolutePath(), e);
    }
  }
}
