package dev.tributary.journal.segment;

/**
 * A log is offline: a write or fsync of it failed (a full disk, an I/O error), so nothing more is
 * written to it in this process. Its stored entries can still be read. It comes back when it is
 * opened again ({@link StorageEngine#reopenIfOffline} or a restart), continuing after its last
 * complete write.
 */
public final class LogOfflineException extends RuntimeException {

  private final String persistenceId;
  private final String reason;

  public LogOfflineException(String persistenceId, String reason) {
    super("log " + persistenceId + " is offline after a failed write (" + reason
        + "): free space or fix the disk, then restart the broker; it continues after its last"
        + " complete write");
    this.persistenceId = persistenceId;
    this.reason = reason;
  }

  public String persistenceId() {
    return persistenceId;
  }

  /** What failed, in the operating system's words, e.g. "could not write ...: No space left on device". */
  public String reason() {
    return reason;
  }
}
