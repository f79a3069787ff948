package dev.tributary.protocol.message;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Read stored batches of a partition from {@code offset}: at most {@code maxBytes} (at least one
 * batch), waiting up to {@code maxWaitMs} for data when there is none yet (long poll).
 */
public record Fetch(
    long correlationId,
    String topic,
    int partition,
    long offset,
    int maxBytes,
    int maxWaitMs,
    ActorRef<FetchResponse> replyTo)
    implements GatewayRequest, PartitionCommand, DataPlaneMessage {}
