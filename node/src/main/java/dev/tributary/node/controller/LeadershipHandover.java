package dev.tributary.node.controller;

import com.typesafe.config.Config;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.MetadataResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's controlled shutdown, as Kafka's: started by coordinated shutdown before anything
 * stops, it asks the controller (through {@link BrokerLifecycle}, under this incarnation's epoch)
 * to fence this broker, which moves every leadership it holds to another in-sync replica and takes
 * it out of every ISR, and answers once the {@link Handover} is complete: this broker's metadata
 * shows the change, and so does every other live broker's, asked of its gateway. Until then the
 * broker keeps serving: its gateways answer {@code NOT_LEADER} with the new leader, so clients move
 * at once instead of timing out on a broker that has gone.
 *
 * <p>It waits at most {@code tributary.broker.controlled-shutdown-timeout}, asking the controller
 * again every second while the fence does not show (an election may be under way). A broker that
 * is not registered has nothing to hand over; one downed by the cluster, with no other live broker
 * to take over, or whose fence no controller can commit any more (too few voters left: the last
 * brokers of a cluster going down) asks to be fenced once and does not wait for anyone.
 */
public final class LeadershipHandover {

  private static final Logger log = LoggerFactory.getLogger(LeadershipHandover.class);

  /** How often the metadata is looked at while waiting. */
  static final Duration POLL = Duration.ofMillis(100);
  /** How long a peer's gateway may take to answer one metadata request. */
  static final Duration PEER_TIMEOUT = Duration.ofSeconds(1);
  /** How soon the controller is asked again while the fence does not show in this broker's metadata. */
  static final Duration FENCE_RETRY = Duration.ofSeconds(1);
  /** What the coordinated-shutdown phase keeps beyond the wait, for the answer to come back. */
  static final Duration PHASE_MARGIN = Duration.ofSeconds(3);

  static final String TIMEOUT_KEY = "tributary.broker.controlled-shutdown-timeout";
  static final String PHASE_TIMEOUT_KEY = "pekko.coordinated-shutdown.phases.before-service-unbind.timeout";

  public interface Command {}

  /** The broker stops: hand over, then answer (also when the wait ran out). */
  public record Start(ActorRef<Done> replyTo) implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command, NoSerializationVerificationNeeded { POLL, DEADLINE }

  private enum FenceAnswered implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** A peer's metadata, or null when it did not answer in time. */
  private record PeerAnswered(int brokerId, MetadataResponse metadata)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * The wait to configure: {@code tributary.broker.controlled-shutdown-timeout}, cut (with a
   * warning) to what the coordinated-shutdown phase it runs in leaves, so the phase never times out
   * before the handover says how it ended.
   */
  public static Duration timeout(Config config) {
    Duration configured = config.getDuration(TIMEOUT_KEY);
    Duration phase = config.hasPath(PHASE_TIMEOUT_KEY) ? config.getDuration(PHASE_TIMEOUT_KEY)
        : config.getDuration("pekko.coordinated-shutdown.default-phase-timeout");
    Duration limit = phase.minus(PHASE_MARGIN);
    if (limit.isNegative()) {
      limit = Duration.ZERO;
    }
    if (configured.compareTo(limit) > 0) {
      log.warn("{} = {} s does not fit in {} = {} s: a stopping broker waits at most {} s for its leadership to move "
          + "(raise the phase timeout to wait longer)", TIMEOUT_KEY, seconds(configured), PHASE_TIMEOUT_KEY,
          seconds(phase), seconds(limit));
      return limit;
    }
    return configured;
  }

  /**
   * The broker's handover, peers' gateways resolved from their registered addresses.
   *
   * @param timeout the longest wait, {@link #timeout(Config)}
   */
  public static Behavior<Command> create(int brokerId, LongSupplier brokerEpoch, MetadataView view,
      ActorRef<BrokerLifecycle.Command> lifecycle, TopicConfig defaults, Duration timeout) {
    return Behaviors.setup(context -> {
      ActorRefResolver resolver = ActorRefResolver.get(context.getSystem());
      CoordinatedShutdown shutdown = CoordinatedShutdown.get(Adapter.toClassic(context.getSystem()));
      Set<Integer> voters = new HashSet<>();
      ControllerVoters.parse(context.getSystem().settings().config().getString("tributary.controller.voters")).voters()
          .forEach(v -> voters.add(v.brokerId()));
      return create(brokerId, brokerEpoch, view, lifecycle, defaults, b -> resolver.resolveActorRef(gatewayPath(b)),
          voters, timeout,
          () -> shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent());
    });
  }

  /**
   * @param gateways a live broker's control gateway
   * @param voters the controller quorum's voters, empty when this broker was not told them
   * @param downed whether the cluster downed this broker: it is no longer a member, so no one would answer
   */
  static Behavior<Command> create(int brokerId, LongSupplier brokerEpoch, MetadataView view,
      ActorRef<BrokerLifecycle.Command> lifecycle, TopicConfig defaults,
      Function<BrokerInfo, ActorRef<GatewayRequest>> gateways, Set<Integer> voters, Duration timeout,
      BooleanSupplier downed) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.receive(Command.class)
        .onMessage(Start.class, start -> new Waiting(context, timers, brokerId, brokerEpoch.getAsLong(), view,
            lifecycle, defaults, gateways, Set.copyOf(voters), timeout, downed.getAsBoolean(), start.replyTo()).begin())
        .build()));
  }

  /** "30", "1.5": a duration in seconds, for log lines. */
  private static String seconds(Duration d) {
    return java.math.BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString();
  }

  private static String gatewayPath(BrokerInfo broker) {
    int colon = broker.address().lastIndexOf(':');
    return Tributary.gatewayPath(broker.address().substring(0, colon),
        Integer.parseInt(broker.address().substring(colon + 1)));
  }

  /** One handover, from {@link Start} to its answer. */
  private static final class Waiting {
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Handover handover;
    private final MetadataView view;
    private final ActorRef<BrokerLifecycle.Command> lifecycle;
    private final TopicConfig defaults;
    private final Function<BrokerInfo, ActorRef<GatewayRequest>> gateways;
    private final Set<Integer> voters;
    private final Duration timeout;
    /** Whether to wait for the peers at all (else: ask for the fence once, and go). */
    private final boolean handOver;
    private final ActorRef<Done> replyTo;
    private final long startNanos = System.nanoTime();
    private final Set<Integer> confirmed = new HashSet<>();
    private final Set<Integer> asking = new HashSet<>();
    private boolean fenceAsked;
    private long fenceAskedNanos;
    private boolean releaseSeen;
    private int ledAtStart;

    Waiting(ActorContext<Command> context, TimerScheduler<Command> timers, int brokerId, long brokerEpoch,
        MetadataView view, ActorRef<BrokerLifecycle.Command> lifecycle, TopicConfig defaults,
        Function<BrokerInfo, ActorRef<GatewayRequest>> gateways, Set<Integer> voters, Duration timeout,
        boolean downed, ActorRef<Done> replyTo) {
      this.context = context;
      this.timers = timers;
      this.handover = new Handover(brokerId, brokerEpoch);
      this.view = view;
      this.lifecycle = lifecycle;
      this.defaults = defaults;
      this.gateways = gateways;
      this.voters = voters;
      this.timeout = timeout;
      this.replyTo = replyTo;
      MetadataResponse own = view.current();
      this.handOver = !downed && !handover.peers(own).isEmpty() && handover.fenceCommittable(own, voters);
    }

    Behavior<Command> begin() {
      int id = handover.brokerId();
      if (handover.brokerEpoch() < 0) {
        log.info("broker {} is stopping; it is not registered with the controller: nothing to hand over", id);
        return finish();
      }
      MetadataResponse own = view.current();
      ledAtStart = handover.ledIn(own).size();
      if (handOver) {
        log.info("broker {} is stopping: moving its leadership of {} partition(s) ({} of {}) to other in-sync replicas "
                + "and waiting (at most {} s) until brokers {} have the new leaders", id, ledAtStart,
            handover.groupPartitionsLedIn(own), dev.tributary.protocol.GroupPartitions.TOPIC, seconds(timeout),
            handover.peers(own).stream().map(BrokerInfo::id).toList());
      }
      askFence();
      timers.startSingleTimer(Tick.DEADLINE, timeout);
      timers.startTimerWithFixedDelay(Tick.POLL, POLL);
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.POLL, this::check)
          .onMessageEquals(Tick.DEADLINE, this::gaveUp)
          .onMessageEquals(FenceAnswered.INSTANCE, () -> {
            fenceAsked = false;
            return handOver ? check() : finish(); // as before: one try, for the others' sake
          })
          .onMessage(PeerAnswered.class, answered -> {
            asking.remove(answered.brokerId());
            if (answered.metadata() != null && handover.releasedIn(answered.metadata())) {
              confirmed.add(answered.brokerId());
            }
            return check();
          })
          .onMessage(Start.class, again -> {
            again.replyTo().tell(Done.getInstance()); // a second stop asked for: the first one's answer counts
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Command> check() {
      MetadataResponse own = view.current();
      if (!handover.releasedIn(own)) {
        if (handOver && !handover.fenceCommittable(own, voters)) {
          List<String> led = handover.ledIn(own);
          String why = "no controller can fence it any more (a majority of the controller's voters is gone)";
          if (led.isEmpty()) {
            log.info("broker {} stops without handing over: {}; it leads no partition", handover.brokerId(), why);
          } else {
            log.warn("broker {} stops without handing over: {}; the {} partition(s) it leads {} wait for it",
                handover.brokerId(), why, led.size(), abbreviated(led));
          }
          return finish();
        }
        if (!fenceAsked && System.nanoTime() - fenceAskedNanos >= FENCE_RETRY.toNanos()) {
          askFence();
        }
        return Behaviors.same();
      }
      if (!releaseSeen) {
        releaseSeen = true;
        List<String> left = handover.leftBehind(own, defaults);
        if (!left.isEmpty()) {
          log.warn("broker {} stops with {} partition(s) that no in-sync replica can take over in full: {}",
              handover.brokerId(), left.size(), left.size() > 10 ? left.subList(0, 10) + " ..." : left);
        }
      }
      if (!handOver) {
        return Behaviors.same(); // the fence's answer ends it
      }
      List<BrokerInfo> pending = handover.peers(own).stream().filter(b -> !confirmed.contains(b.id())).toList();
      if (pending.isEmpty()) {
        List<Integer> peers = handover.peers(own).stream().map(BrokerInfo::id).toList();
        log.info("broker {} handed over in {} ms: it leads none of the {} partition(s) it led, and {}; leaving the "
            + "cluster", handover.brokerId(), elapsedMillis(), ledAtStart,
            peers.isEmpty() ? "no other broker is live any more" : "brokers " + peers + " have the new leaders");
        return finish();
      }
      for (BrokerInfo peer : pending) {
        if (asking.add(peer.id())) {
          context.ask(MetadataResponse.class, gateways.apply(peer), PEER_TIMEOUT, GetMetadata::new,
              (metadata, error) -> new PeerAnswered(peer.id(), metadata));
        }
      }
      return Behaviors.same();
    }

    private Behavior<Command> gaveUp() {
      MetadataResponse own = view.current();
      if (!handover.releasedIn(own)) {
        log.warn("broker {} stops after {} s without being fenced (no controller committed it: an election under way, or "
                + "no quorum?): the {} partition(s) it still leads {} move only once its session expires", handover.brokerId(),
            seconds(timeout), handover.ledIn(own).size(), abbreviated(handover.ledIn(own)));
      } else if (handOver) {
        log.warn("broker {} stops after {} s although brokers {} did not confirm the new leaders (they will hear of them "
                + "from the controller)", handover.brokerId(), seconds(timeout),
            handover.peers(own).stream().map(BrokerInfo::id).filter(b -> !confirmed.contains(b)).toList());
      }
      return finish();
    }

    private void askFence() {
      fenceAsked = true;
      fenceAskedNanos = System.nanoTime();
      lifecycle.tell(new BrokerLifecycle.ShutDown(context.messageAdapter(Done.class, done -> FenceAnswered.INSTANCE)));
    }

    private Behavior<Command> finish() {
      replyTo.tell(Done.getInstance());
      return Behaviors.stopped();
    }

    private long elapsedMillis() {
      return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static String abbreviated(List<String> ids) {
      return ids.size() > 10 ? ids.subList(0, 10) + " ..." : ids.toString();
    }
  }
}
