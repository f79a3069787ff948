package dev.tributary.client;

import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.WatchMetadata;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps a client's newest metadata: subscribes to the pushes of every bootstrap gateway and renews
 * the subscriptions every {@link #RENEW_EVERY}; each renewal is answered with the current
 * metadata, the back-stop for a lost push. Keeps the newest ({@link MetadataResponse#supersedes}).
 *
 * <p>Every bootstrap broker, not just the one control requests go to: a broker killed without a
 * word pushes nothing, and Artery does not say that it is gone (a Kafka client sees its TCP
 * connection close), so a client subscribed only there would learn of the new leaders only when a
 * request to it timed out. Subscribed everywhere, it hears from the brokers still running as soon
 * as the cluster has fenced the dead one, about a session timeout after it died.
 */
final class MetadataWatcher {

  static final Duration RENEW_EVERY = Duration.ofMillis(WatchMetadata.LEASE_MILLIS / 3);

  private enum Renew { TICK }

  /** Stops watching (the client closes). */
  static final Object STOP = "stop-watching-metadata";

  private MetadataWatcher() {}

  /** @param gateways the bootstrap gateways to subscribe at */
  static Behavior<Object> create(List<ActorRef<GatewayRequest>> gateways,
      java.util.function.Consumer<MetadataResponse> install) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<MetadataResponse> self = context.getSelf().unsafeUpcast();
      gateways.forEach(g -> g.tell(new WatchMetadata(self)));
      timers.startTimerWithFixedDelay(Renew.TICK, RENEW_EVERY);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Renew.TICK, () -> {
            gateways.forEach(g -> g.tell(new WatchMetadata(self)));
            return Behaviors.same();
          })
          .onMessageEquals(STOP, Behaviors::stopped)
          .onMessage(MetadataResponse.class, fresh -> {
            install.accept(fresh);
            return Behaviors.same();
          })
          .build();
    }));
  }
}
