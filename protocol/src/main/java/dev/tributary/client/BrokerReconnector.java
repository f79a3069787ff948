package dev.tributary.client;

import java.time.Duration;
import org.apache.pekko.actor.ActorIdentity;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Identify;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.remote.QuarantinedEvent;
import org.apache.pekko.remote.artery.GracefulShutdownQuarantinedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches a broker again after it restarted on the same address. When a broker stops, Artery
 * quarantines that incarnation and drops every message to it, ours included, until a handshake
 * with the new incarnation happens; but only an actor selection may pass a quarantine to start
 * one. So once the bootstrap broker is quarantined this actor sends an {@link Identify} to its
 * gateway by selection every second, until the new incarnation answers.
 */
final class BrokerReconnector {

  private static final Logger log = LoggerFactory.getLogger(BrokerReconnector.class);
  private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
  private static final Object PROBE = "probe";
  /** Stops the reconnector (the client is closing). */
  static final Object STOP = "stop";

  private BrokerReconnector() {}

  static Behavior<Object> create(Address broker, String gatewayPath) {
    return Behaviors.setup(context -> {
      context.getSystem().eventStream().tell(new EventStream.Subscribe<>(GracefulShutdownQuarantinedEvent.class,
          context.getSelf().narrow()));
      context.getSystem().eventStream().tell(new EventStream.Subscribe<>(QuarantinedEvent.class,
          context.getSelf().narrow()));
      return Behaviors.withTimers(timers -> Behaviors.receive(Object.class)
          .onMessage(GracefulShutdownQuarantinedEvent.class, event -> {
            if (event.uniqueAddress().address().equals(broker)) {
              log.info("Broker {} stopped; reaching for its next incarnation", broker);
              timers.startTimerWithFixedDelay(PROBE, PROBE, PROBE_INTERVAL);
            }
            return Behaviors.same();
          })
          .onMessage(QuarantinedEvent.class, event -> {
            if (event.address().equals(broker)) {
              log.info("Broker {} was quarantined; reaching for its next incarnation", broker);
              timers.startTimerWithFixedDelay(PROBE, PROBE, PROBE_INTERVAL);
            }
            return Behaviors.same();
          })
          .onMessageEquals(PROBE, () -> {
            Adapter.toClassic(context.getSystem()).actorSelection(gatewayPath)
                .tell(new Identify(PROBE), Adapter.toClassic(context.getSelf()));
            return Behaviors.same();
          })
          .onMessageEquals(STOP, Behaviors::stopped)
          .onMessage(ActorIdentity.class, identity -> {
            if (identity.getActorRef().isPresent()) {
              log.info("Broker {} is reachable again", broker);
              timers.cancel(PROBE);
            }
            return Behaviors.same();
          })
          .build());
    });
  }
}
