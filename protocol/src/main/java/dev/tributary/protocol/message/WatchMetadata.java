package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Subscribe to a gateway's metadata: it answers the current metadata at once, then pushes every
 * change to {@code subscriber} for {@link #LEASE_MILLIS}. Clients renew well before that, so the
 * renewal's answer is also the polling back-stop for a push that was lost.
 */
public record WatchMetadata(ActorRef<MetadataResponse> subscriber) implements GatewayRequest, CborSerializable {

  /** How long a subscription lasts unless renewed. */
  public static final long LEASE_MILLIS = 30_000;
}
