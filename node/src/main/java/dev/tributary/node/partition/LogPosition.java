package dev.tributary.node.partition;

/**
 * Where a replica's log stands; shared by the partition entity and its role helpers ({@link
 * LeaderLog}, {@link FollowerLog}), all on the entity's actor.
 */
final class LogPosition {
  /** The next offset to hand out: past every accepted batch, stored or not (the log end on a follower). */
  long nextOffset;
  /** The end of what is stored. */
  long logEnd;
  /** The end of what is committed: consumers read below it. */
  long highWatermark;
  long logStartOffset;
  /** The leader epoch of the last stored batch; -1 when the log holds none. */
  int latestEpoch = -1;
  long sizeBytes;

  LogPosition(long logStartOffset, long logEnd, int latestEpoch, long sizeBytes) {
    this.logStartOffset = logStartOffset;
    this.logEnd = logEnd;
    this.nextOffset = logEnd;
    // Not the log end: what is committed is for the leader's replica set to say. A leader with no
    // followers sets it to its log end at once.
    this.highWatermark = logStartOffset;
    this.latestEpoch = latestEpoch;
    this.sizeBytes = sizeBytes;
  }
}
