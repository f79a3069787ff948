package dev.tributary.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Binds a data directory to the broker id that wrote it, as Kafka's {@code meta.properties} does:
 * partitions are placed on broker ids, so a broker started on another broker's data under a
 * different id would never serve them (they would wait for the old id forever). It also gives the
 * directory a UUID when it is first formatted (Kafka's {@code directory.id}): the controller tells a
 * broker that returns with an empty disk under its old id from one that returns with its data.
 */
final class DataDirOwner {

  static final String FILE = "broker-id";
  static final String DIRECTORY_ID_FILE = "directory-id";

  private DataDirOwner() {}

  /**
   * Records {@code brokerId} as the owner of {@code dataDir} the first time; refuses a different id
   * afterwards with what to do about it.
   *
   * @return the directory's UUID, written now if the directory has none yet
   * @throws IllegalStateException when the directory belongs to another broker id
   */
  static String claim(Path dataDir, int brokerId) {
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        String owner = Files.readString(file).trim();
        if (!owner.equals(Integer.toString(brokerId))) {
          throw new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " belongs to broker " + owner
              + ", not " + brokerId + ": start with --node-id " + owner + ", or give this broker its own --data-dir");
        }
        return directoryId(dataDir);
      }
      Files.createDirectories(dataDir);
      String id = directoryId(dataDir);
      writeAtomically(file, brokerId + "\n");
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("could not record the broker id in " + dataDir.toAbsolutePath(), e);
    }
  }

  /** The directory's UUID; written (once, atomically) if missing. */
  private static String directoryId(Path dataDir) throws IOException {
    Path file = dataDir.resolve(DIRECTORY_ID_FILE);
    if (Files.exists(file)) {
      return Files.readString(file).trim();
    }
    String id = java.util.UUID.randomUUID().toString();
    writeAtomically(file, id + "\n");
    return id;
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(tmp,
        java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
