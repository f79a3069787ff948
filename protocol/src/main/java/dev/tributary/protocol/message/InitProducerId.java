package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/** Ask for a producer id, unique in the cluster, for an idempotent producer. */
public record InitProducerId(ActorRef<ProducerIdResponse> replyTo) implements GatewayRequest, CborSerializable {}
