package dev.tributary.journal.segment;

/** A read asked for an offset outside [log start offset, log end offset]. */
public final class OffsetOutOfRangeException extends RuntimeException {

  private final long requestedOffset;
  private final long logStartOffset;
  private final long logEndOffset;

  public OffsetOutOfRangeException(long requestedOffset, long logStartOffset, long logEndOffset) {
    super("offset " + requestedOffset + " is outside the log [" + logStartOffset + ", "
        + logEndOffset + "]: seek to an offset in that range");
    this.requestedOffset = requestedOffset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }

  public long requestedOffset() {
    return requestedOffset;
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  public long logEndOffset() {
    return logEndOffset;
  }
}
