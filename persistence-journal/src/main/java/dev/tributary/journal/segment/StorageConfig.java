package dev.tributary.journal.segment;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The storage engine's settings, validated. Built from {@code tributary.journal} by {@code
 * JournalSettings}, or directly in tests and benchmarks.
 *
 * @param root directory holding one directory per persistence id
 * @param segmentBytes roll the active segment when a write would take it past this size
 * @param segmentAge roll the active segment when its first entry is this old
 * @param indexIntervalBytes bytes of entries between two sparse index entries
 * @param fsync when writes are forced to disk
 * @param fsyncInterval how often dirty logs are forced under {@link FsyncPolicy#INTERVAL}
 * @param maxEntryBytes largest entry accepted; a larger length on disk means corruption
 * @param fileDeleteDelay how long a deleted segment's file handle stays open for reads under way
 * @param retentionCheckInterval how often logs with a retention policy are trimmed
 */
public record StorageConfig(
    Path root,
    long segmentBytes,
    Duration segmentAge,
    int indexIntervalBytes,
    FsyncPolicy fsync,
    Duration fsyncInterval,
    int maxEntryBytes,
    Duration fileDeleteDelay,
    Duration retentionCheckInterval) {

  public StorageConfig {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(fsync, "fsync");
    require(segmentBytes >= 1024, "segment-bytes must be at least 1 KiB, got " + segmentBytes);
    require(!segmentAge.isNegative() && !segmentAge.isZero(), "segment-age must be positive");
    require(indexIntervalBytes >= 1, "index-interval-bytes must be positive");
    require(!fsyncInterval.isNegative() && !fsyncInterval.isZero(), "fsync-interval must be positive");
    require(maxEntryBytes >= 1024, "max-entry-bytes must be at least 1 KiB");
    require(!fileDeleteDelay.isNegative(), "file-delete-delay must not be negative");
    require(!retentionCheckInterval.isNegative() && !retentionCheckInterval.isZero(),
        "retention-check-interval must be positive");
  }

  /** Defaults as in reference.conf, rooted at {@code root}. */
  public static StorageConfig defaults(Path root) {
    return new StorageConfig(
        root, 1L << 30, Duration.ofDays(7), 4096, FsyncPolicy.ALWAYS, Duration.ofMillis(200),
        64 * 1024 * 1024, Duration.ofSeconds(60), Duration.ofMinutes(5));
  }

  public StorageConfig withFsync(FsyncPolicy policy) {
    return new StorageConfig(root, segmentBytes, segmentAge, indexIntervalBytes, policy,
        fsyncInterval, maxEntryBytes, fileDeleteDelay, retentionCheckInterval);
  }

  public StorageConfig withSegmentBytes(long bytes) {
    return new StorageConfig(root, bytes, segmentAge, indexIntervalBytes, fsync,
        fsyncInterval, maxEntryBytes, fileDeleteDelay, retentionCheckInterval);
  }

  public StorageConfig withSegmentAge(Duration age) {
    return new StorageConfig(root, segmentBytes, age, indexIntervalBytes, fsync,
        fsyncInterval, maxEntryBytes, fileDeleteDelay, retentionCheckInterval);
  }

  public StorageConfig withIndexIntervalBytes(int bytes) {
    return new StorageConfig(root, segmentBytes, segmentAge, bytes, fsync,
        fsyncInterval, maxEntryBytes, fileDeleteDelay, retentionCheckInterval);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("tributary.journal: " + message);
    }
  }
}
