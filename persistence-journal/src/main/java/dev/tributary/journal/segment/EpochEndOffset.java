package dev.tributary.journal.segment;

/**
 * The answer to "where does my epoch end in your log?" (Kafka's {@code OffsetsForLeaderEpoch}):
 * the epoch the log knows that answers it and the offset where that epoch ends, or
 * {@link #UNDEFINED} when the log cannot say.
 *
 * @param epoch the epoch answered for, or -1 when undefined
 * @param endOffset the offset after that epoch's last record in this log, or -1 when undefined
 */
public record EpochEndOffset(int epoch, long endOffset) {

  /** Kafka's {@code UNDEFINED_EPOCH} and {@code UNDEFINED_EPOCH_OFFSET}. */
  public static final EpochEndOffset UNDEFINED = new EpochEndOffset(-1, -1);

  public boolean isUndefined() {
    return epoch < 0;
  }
}
