package dev.tributary.protocol.message;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Read stored batches of a partition from {@code offset}: at most {@code maxBytes} (at least one
 * batch), waiting up to {@code maxWaitMs} for data when there is none yet (long poll).
 * {@code leaderEpoch} is checked as {@link Produce#leaderEpoch()} is.
 */
public record Fetch(
    long correlationId,
    String topic,
    int partition,
    long offset,
    int maxBytes,
    int maxWaitMs,
    ActorRef<FetchResponse> replyTo,
    int leaderEpoch)
    implements GatewayRequest, PartitionCommand, DataPlaneMessage {

  /** A fetch that names no leader epoch. */
  public Fetch(long correlationId, String topic, int partition, long offset, int maxBytes, int maxWaitMs,
      ActorRef<FetchResponse> replyTo) {
    this(correlationId, topic, partition, offset, maxBytes, maxWaitMs, replyTo, Produce.ANY_EPOCH);
  }
}
