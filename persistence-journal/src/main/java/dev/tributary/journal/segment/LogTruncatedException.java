package dev.tributary.journal.segment;

/**
 * The log was truncated ({@link StorageEngine#truncateTo}) under a reader: the entries it waited
 * after or was reading may no longer exist. Read again from the log's new end, or from an offset
 * or sequence number at or below it.
 */
public final class LogTruncatedException extends RuntimeException {

  private final String persistenceId;
  private final long logEndOffset;
  private final long highestSequenceNr;

  public LogTruncatedException(String persistenceId, long logEndOffset, long highestSequenceNr) {
    this(persistenceId, logEndOffset, highestSequenceNr, null);
  }

  /** As the truncation seen under a read whose file it cut: {@code cause} is what that read met. */
  public LogTruncatedException(String persistenceId, long logEndOffset, long highestSequenceNr, Throwable cause) {
    super("log " + persistenceId + " was truncated to offset " + logEndOffset + " (sequence number "
        + highestSequenceNr + "): read again from there", cause);
    this.persistenceId = persistenceId;
    this.logEndOffset = logEndOffset;
    this.highestSequenceNr = highestSequenceNr;
  }

  public String persistenceId() {
    return persistenceId;
  }

  /** The log end offset after the truncation (-1: the log holds no batch). */
  public long logEndOffset() {
    return logEndOffset;
  }

  /** The highest sequence number after the truncation (0: the log holds no entry). */
  public long highestSequenceNr() {
    return highestSequenceNr;
  }
}
