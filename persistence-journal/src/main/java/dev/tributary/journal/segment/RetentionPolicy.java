package dev.tributary.journal.segment;

/**
 * How much of a log to keep. Retention only ever deletes whole sealed segments, oldest first, and
 * is opt-in per persistence id: logs without a policy are never trimmed by it.
 *
 * @param retentionBytes keep the log at most this large (bytes), or -1 for no size limit
 * @param retentionMillis delete segments whose largest timestamp is older than this (ms), or -1
 */
public record RetentionPolicy(long retentionBytes, long retentionMillis) {

  public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(-1, -1);

  public RetentionPolicy {
    if (retentionBytes < -1 || retentionMillis < -1) {
      throw new IllegalArgumentException(
          "retention limits must be -1 (none) or >= 0, got bytes="
              + retentionBytes + " ms=" + retentionMillis);
    }
  }
}
