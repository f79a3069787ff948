package dev.tributary.client;

import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.WatchMetadata;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Keeps a client's newest metadata: subscribes to the bootstrap gateway's pushes and renews the
 * subscription every {@link #RENEW_EVERY}; each renewal is answered with the current metadata, the
 * back-stop for a lost push. Keeps the newest ({@link MetadataResponse#supersedes}).
 */
final class MetadataWatcher {

  static final Duration RENEW_EVERY = Duration.ofMillis(WatchMetadata.LEASE_MILLIS / 3);

  private enum Renew { TICK }

  /** Stops watching (the client closes). */
  static final Object STOP = "stop-watching-metadata";

  private MetadataWatcher() {}

  /** @param gateway the bootstrap gateway to subscribe at, asked again at every renewal (it may change) */
  static Behavior<Object> create(java.util.function.Supplier<ActorRef<GatewayRequest>> gateway,
      java.util.function.Consumer<MetadataResponse> install) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ActorRef<MetadataResponse> self = context.getSelf().unsafeUpcast();
      gateway.get().tell(new WatchMetadata(self));
      timers.startTimerWithFixedDelay(Renew.TICK, RENEW_EVERY);
      return Behaviors.receive(Object.class)
          .onMessageEquals(Renew.TICK, () -> {
            gateway.get().tell(new WatchMetadata(self));
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
