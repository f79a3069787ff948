package dev.tributary.protocol.message;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * Append one record batch to a partition. The answer is a {@link ProduceResponse} with the same
 * correlation id.
 *
 * @param batch the batch's bytes, as {@code RecordBatchBuilder} builds them
 * @param timeoutMs how long the broker may take before answering REQUEST_TIMED_OUT
 */
public record Produce(
    long correlationId,
    String topic,
    int partition,
    byte[] batch,
    Acks acks,
    int timeoutMs,
    ActorRef<ProduceResponse> replyTo)
    implements GatewayRequest, PartitionCommand, DataPlaneMessage {}
