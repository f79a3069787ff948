package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/** Ask a gateway for the cluster's topics and brokers (answered from its cache). */
public record GetMetadata(ActorRef<MetadataResponse> replyTo)
    implements GatewayRequest, CborSerializable {}
