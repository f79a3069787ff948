package dev.tributary.journal.segment;

/**
 * One entry of a log's leader-epoch cache ({@link LeaderEpochCache}): the first offset written in
 * a leader epoch, as Kafka's {@code EpochEntry}.
 *
 * @param epoch the leader epoch, at least 0
 * @param startOffset the base offset of the first batch the log holds in that epoch
 */
public record EpochEntry(int epoch, long startOffset) {

  public EpochEntry {
    if (epoch < 0) {
      throw new IllegalArgumentException("a leader epoch must be >= 0, got " + epoch);
    }
    if (startOffset < 0) {
      throw new IllegalArgumentException("an epoch start offset must be >= 0, got " + startOffset);
    }
  }
}
