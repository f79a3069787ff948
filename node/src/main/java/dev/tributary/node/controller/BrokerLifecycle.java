package dev.tributary.node.controller;

import dev.tributary.protocol.ErrorCode;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's session with the controller, as Kafka's BrokerLifecycleManager: it registers
 * (broker id, data-directory UUID, a new incarnation id per start) and gets a broker epoch, then
 * heartbeats with that epoch. Told its epoch is stale (the session expired and the broker was
 * fenced, e.g. after a long pause), it registers again and gets a new one. Everything this broker
 * asks of the controller goes through here with the current epoch, so nothing it sends under an
 * old epoch is accepted. Each registration carries its Kafka listener's address, so the
 * controller's metadata (and a Kafka Metadata response) names that broker's endpoint; the first
 * waits until the listener is bound and its port known.
 */
public final class BrokerLifecycle {

  private static final Logger log = LoggerFactory.getLogger(BrokerLifecycle.class);

  public interface Command {}

  /** A lease of producer ids for the gateway, asked under this broker's current epoch. */
  public record LeaseProducerIds(int count, ActorRef<Controller.ProducerIdBlock> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  /** The broker is stopping: be fenced now (answered once the controller did, or could not). */
  public record ShutDown(ActorRef<org.apache.pekko.Done> replyTo) implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command, NoSerializationVerificationNeeded { REGISTER, HEARTBEAT }

  private record ShutDownAnswered(ActorRef<org.apache.pekko.Done> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  private record KafkaAddressKnown(String kafkaAddress) implements Command, NoSerializationVerificationNeeded {}

  private record Registered(Controller.Registration registration, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  private record HeartbeatAnswered(long epoch, Controller.HeartbeatReply reply, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** The current broker epoch, -1 while not registered; read by readiness checks. */
  public static final class Epoch {
    private final AtomicLong value = new AtomicLong(-1);

    public long get() {
      return value.get();
    }

    public boolean registered() {
      return value.get() >= 0;
    }
  }

  /**
   * @param kafkaAddress the advertised {@code host:port} of this broker's Kafka listener, known once
   *     it is bound (its port may be any free one); the first registration waits for it, and if it
   *     fails the broker registers without one ("")
   * @param knownControllerEpoch the newest controller epoch this broker has seen: answers from an
   *     older controller (one deposed without knowing it yet) are not believed
   */
  public static Behavior<Command> create(int brokerId, String directoryId, String address,
      CompletionStage<String> kafkaAddress, ActorRef<Controller.Command> controller, QuorumTiming timing, Epoch epoch,
      java.util.function.LongSupplier knownControllerEpoch) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new BrokerLifecycle(context, timers, brokerId, directoryId, address, controller, timing, epoch,
            knownControllerEpoch).awaitingKafkaAddress(kafkaAddress)));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final int brokerId;
  private final String directoryId;
  private final String address;
  private final String incarnationId = UUID.randomUUID().toString();
  private final ActorRef<Controller.Command> controller;
  private final QuorumTiming timing;
  private final Epoch epoch;
  private final java.util.function.LongSupplier knownControllerEpoch;
  private boolean registering;

  private BrokerLifecycle(ActorContext<Command> context, TimerScheduler<Command> timers, int brokerId,
      String directoryId, String address, ActorRef<Controller.Command> controller, QuorumTiming timing, Epoch epoch,
      java.util.function.LongSupplier knownControllerEpoch) {
    this.context = context;
    this.timers = timers;
    this.brokerId = brokerId;
    this.directoryId = directoryId;
    this.address = address;
    this.controller = controller;
    this.timing = timing;
    this.epoch = epoch;
    this.knownControllerEpoch = knownControllerEpoch;
  }

  /**
   * Not registered yet, nor asking to be: a registration without the Kafka listener's address
   * would have Kafka clients told of no endpoint for this broker until it next registered.
   */
  private Behavior<Command> awaitingKafkaAddress(CompletionStage<String> kafkaAddress) {
    context.pipeToSelf(kafkaAddress, (bound, failure) -> {
      if (failure != null) {
        log.warn("broker {}: no Kafka listener address ({}); registering without one", brokerId, failure.toString());
      }
      return new KafkaAddressKnown(failure != null || bound == null ? "" : bound);
    });
    return Behaviors.receive(Command.class)
        .onMessage(KafkaAddressKnown.class, known -> unregistered(known.kafkaAddress()))
        .onMessage(LeaseProducerIds.class, lease -> {
          lease.replyTo().tell(notRegisteredYet());
          return Behaviors.same();
        })
        .onMessage(ShutDown.class, shutDown -> {
          shutDown.replyTo().tell(org.apache.pekko.Done.getInstance()); // not registered: nothing to fence
          return Behaviors.same();
        })
        .build();
  }

  /** Registers, retrying until the controller answers. */
  private Behavior<Command> unregistered(String kafkaAddress) {
    epoch.value.set(-1);
    timers.cancel(Tick.HEARTBEAT);
    registering = false;
    context.getSelf().tell(Tick.REGISTER);
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.REGISTER, () -> {
          if (!registering) {
            registering = true;
            context.ask(Controller.Registration.class, controller, requestTimeout(),
                replyTo -> new Controller.Register(brokerId, incarnationId, directoryId, address, kafkaAddress, replyTo),
                (r, error) -> new Registered(r, error == null ? null : error.toString()));
          }
          return Behaviors.same();
        })
        .onMessage(Registered.class, registered -> {
          registering = false;
          Controller.Registration r = registered.registration();
          if (r != null && r.error() == ErrorCode.NONE) {
            log.info("broker {} registered with the controller: broker epoch {}, directory {}", brokerId,
                r.brokerEpoch(), directoryId);
            epoch.value.set(r.brokerEpoch());
            return registeredAs(r.brokerEpoch(), kafkaAddress);
          }
          timers.startSingleTimer(Tick.REGISTER, Duration.ofMillis(200));
          return Behaviors.same();
        })
        .onMessage(LeaseProducerIds.class, lease -> {
          lease.replyTo().tell(notRegisteredYet());
          return Behaviors.same();
        })
        .onMessage(HeartbeatAnswered.class, late -> Behaviors.same())
        .onMessage(ShutDown.class, shutDown -> {
          shutDown.replyTo().tell(org.apache.pekko.Done.getInstance()); // not registered: nothing to fence
          return Behaviors.same();
        })
        .onMessage(ShutDownAnswered.class, answered -> Behaviors.same())
        .build();
  }

  private Behavior<Command> registeredAs(long brokerEpoch, String kafkaAddress) {
    timers.startTimerWithFixedDelay(Tick.HEARTBEAT, timing.heartbeatInterval());
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.HEARTBEAT, () -> {
          context.ask(Controller.HeartbeatReply.class, controller, requestTimeout(),
              replyTo -> new Controller.Heartbeat(brokerId, brokerEpoch, replyTo),
              (r, error) -> new HeartbeatAnswered(brokerEpoch, r, error == null ? null : error.toString()));
          return Behaviors.same();
        })
        .onMessage(HeartbeatAnswered.class, answered -> {
          Controller.HeartbeatReply reply = answered.reply();
          if (answered.epoch() != brokerEpoch || reply == null || reply.controllerEpoch() < knownControllerEpoch.getAsLong()) {
            // An old epoch's answer, no answer (the controller is away), or an older controller's: go on.
            return Behaviors.same();
          }
          if (reply.error() == ErrorCode.STALE_BROKER_EPOCH || reply.error() == ErrorCode.BROKER_ID_NOT_REGISTERED) {
            log.warn("broker {}: the controller no longer accepts epoch {} ({}); registering again", brokerId,
                brokerEpoch, reply.message());
            return unregistered(kafkaAddress);
          }
          return Behaviors.same();
        })
        .onMessage(LeaseProducerIds.class, lease -> {
          controller.tell(new Controller.AllocateProducerIds(brokerId, brokerEpoch, lease.count(), lease.replyTo()));
          return Behaviors.same();
        })
        .onMessage(ShutDown.class, shutDown -> {
          timers.cancel(Tick.HEARTBEAT); // a heartbeat after the fence would only be refused
          context.ask(Controller.HeartbeatReply.class, controller, Duration.ofSeconds(2),
              replyTo -> new Controller.ControlledShutdown(brokerId, brokerEpoch, replyTo),
              (r, error) -> new ShutDownAnswered(shutDown.replyTo()));
          return Behaviors.same();
        })
        .onMessage(ShutDownAnswered.class, answered -> {
          answered.replyTo().tell(org.apache.pekko.Done.getInstance());
          return Behaviors.same();
        })
        .onMessageEquals(Tick.REGISTER, Behaviors::same)
        .onMessage(Registered.class, late -> Behaviors.same())
        .build();
  }

  private Controller.ProducerIdBlock notRegisteredYet() {
    return new Controller.ProducerIdBlock(ErrorCode.BROKER_ID_NOT_REGISTERED,
        "broker " + brokerId + " has not registered with the controller yet", -1, 0);
  }

  private Duration requestTimeout() {
    return timing.sessionTimeout();
  }
}
