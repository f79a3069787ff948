package dev.tributary.journal;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.FsyncPolicy;
import dev.tributary.journal.segment.StorageConfig;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The {@code tributary.journal} configuration, read once and validated. Immutable. */
public final class JournalSettings {

  public static final String CONFIG_PATH = "tributary.journal";
  public static final String IO_DISPATCHER = CONFIG_PATH + ".io-dispatcher";

  private final Path dataDir;
  private final StorageConfig storage;
  private final int queryBatchSize;

  private JournalSettings(Path dataDir, StorageConfig storage, int queryBatchSize) {
    this.dataDir = dataDir;
    this.storage = storage;
    this.queryBatchSize = queryBatchSize;
  }

  /** Reads the settings from a full config (the one holding {@code tributary.journal}). */
  public static JournalSettings fromRoot(Config root) {
    Config c = root.getConfig(CONFIG_PATH);
    Path dataDir = Paths.get(c.getString("dir")).toAbsolutePath().normalize();
    long maxEntryBytes = c.getBytes("max-entry-bytes");
    if (maxEntryBytes > Integer.MAX_VALUE - 1024) {
      throw new IllegalArgumentException("tributary.journal.max-entry-bytes must be below 2 GiB");
    }
    long indexInterval = c.getBytes("index-interval-bytes");
    if (indexInterval > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tributary.journal.index-interval-bytes must be below 2 GiB");
    }
    StorageConfig storage =
        new StorageConfig(
            dataDir.resolve("journal"),
            c.getBytes("segment-bytes"),
            c.getDuration("segment-age"),
            (int) indexInterval,
            FsyncPolicy.parse(c.getString("fsync")),
            c.getDuration("fsync-interval"),
            (int) maxEntryBytes,
            c.getDuration("file-delete-delay"),
            c.getDuration("retention-check-interval"));
    int batchSize = c.getInt("query-plugin.batch-size");
    if (batchSize < 1) {
      throw new IllegalArgumentException("tributary.journal.query-plugin.batch-size must be positive");
    }
    return new JournalSettings(dataDir, storage, batchSize);
  }

  /** The data directory everything lives under. */
  public Path dataDir() {
    return dataDir;
  }

  public Path snapshotDir() {
    return dataDir.resolve("snapshots");
  }

  public StorageConfig storage() {
    return storage;
  }

  public int queryBatchSize() {
    return queryBatchSize;
  }
}
