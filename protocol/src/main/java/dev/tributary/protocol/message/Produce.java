package dev.tributary.protocol.message;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Append one record batch to a partition. The answer is a {@link ProduceResponse} with the same
 * correlation id.
 *
 * @param batch the batch's bytes, as {@code RecordBatchBuilder} builds them
 * @param timeoutMs how long the request may take from reaching the broker to reaching its
 *     partition; after that the partition drops it unanswered, so a client that gave up waiting
 *     never sees it stored later
 * @param deadlineMs when the partition must drop it (wall-clock epoch ms): 0 as a client sends it;
 *     the broker's gateway that receives it sets it to its arrival time plus {@code timeoutMs}
 * @param leaderEpoch the partition's leader epoch in the sender's metadata, {@link #ANY_EPOCH} if
 *     it has none: a leader in a newer epoch refuses it {@code FENCED_LEADER_EPOCH}, one in an
 *     older epoch {@code UNKNOWN_LEADER_EPOCH} (Kafka's {@code current_leader_epoch})
 */
public record Produce(
    long correlationId,
    String topic,
    int partition,
    byte[] batch,
    Acks acks,
    int timeoutMs,
    ActorRef<ProduceResponse> replyTo,
    long deadlineMs,
    int leaderEpoch)
    implements GatewayRequest, PartitionCommand, DataPlaneMessage {

  /** No leader epoch to check: the leader takes the request in whatever epoch it is. */
  public static final int ANY_EPOCH = -1;

  /** A produce with a deadline that names no leader epoch. */
  public Produce(long correlationId, String topic, int partition, byte[] batch, Acks acks, int timeoutMs,
      ActorRef<ProduceResponse> replyTo, long deadlineMs) {
    this(correlationId, topic, partition, batch, acks, timeoutMs, replyTo, deadlineMs, ANY_EPOCH);
  }

  /** A produce that names no leader epoch and has no deadline yet. */
  public Produce(long correlationId, String topic, int partition, byte[] batch, Acks acks, int timeoutMs,
      ActorRef<ProduceResponse> replyTo) {
    this(correlationId, topic, partition, batch, acks, timeoutMs, replyTo, 0, ANY_EPOCH);
  }

  /**
   * This request with its deadline: {@code nowMs + timeoutMs}, or the deadline it already has if
   * that is earlier (a gateway never extends one).
   */
  public Produce withDeadlineFrom(long nowMs) {
    long deadline = nowMs + Math.max(0, timeoutMs);
    if (deadlineMs > 0 && deadlineMs <= deadline) {
      return this;
    }
    return new Produce(correlationId, topic, partition, batch, acks, timeoutMs, replyTo, deadline, leaderEpoch);
  }

  /** Whether the deadline (if set) has passed at {@code nowMs}. */
  public boolean expiredAt(long nowMs) {
    return deadlineMs > 0 && nowMs > deadlineMs;
  }
}
