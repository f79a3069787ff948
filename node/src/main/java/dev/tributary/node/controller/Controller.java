package dev.tributary.node.controller;

import dev.tributary.node.MetadataView;
import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker's door to the controller, one per broker ({@code /user/controller}). On the active
 * controller (the leader of the Raft group, see {@link ControllerQuorum}) it turns requests into
 * log entries and answers once they are committed, keeps every broker's session and fences those
 * that expire, and pushes the committed metadata to every other broker. Anywhere else it forwards
 * requests to the active controller, learned from that controller's pushes, and keeps them until
 * one is known. A push from an older controller epoch than one already seen is refused.
 */
public final class Controller {

  private static final Logger log = LoggerFactory.getLogger(Controller.class);

  /** Every broker's controller actor registers under this key; the active one pushes to them all. */
  public static final ServiceKey<Command> CONTROLLER_KEY = ServiceKey.create(Command.class, "tributary-controller");

  /** Requests kept while no controller is known; beyond this the oldest are dropped (their asks time out). */
  private static final int MAX_WAITING = 10_000;
  /** How often the active controller pushes metadata even without a change: the back-stop. */
  private static final Duration PUSH_INTERVAL = Duration.ofSeconds(2);

  // ---------------------------------------------------------------- protocol

  public interface Command {}

  /**
   * An admin request from a gateway ({@code requestId} empty), or forwarded by another broker's
   * door with the id that door gave it. The id stays the same when the request is sent again to a
   * new controller, and a created topic takes it as its topic id: a create the old controller
   * committed before it died is then recognised, not refused as a topic that already exists.
   */
  public record Admin(AdminRequest request, String requestId) implements Command, CborSerializable {
    public Admin(AdminRequest request) {
      this(request, "");
    }
  }

  /** A broker asks for a block of producer ids to hand out; refused unless its epoch is current. */
  public record AllocateProducerIds(int brokerId, long brokerEpoch, int count, ActorRef<ProducerIdBlock> replyTo)
      implements Command, CborSerializable {}

  /** Producer ids {@code [firstId, firstId + count)}, never given out again; or why none. */
  public record ProducerIdBlock(ErrorCode error, String message, long firstId, int count) implements CborSerializable {
    public ProducerIdBlock(long firstId, int count) {
      this(ErrorCode.NONE, "", firstId, count);
    }
  }

  /**
   * A broker starting, or returning after it was fenced.
   *
   * @param kafkaAddress the advertised {@code host:port} of its Kafka listener ("" when it has none)
   */
  public record Register(int brokerId, String incarnationId, String directoryId, String address,
      String kafkaAddress, ActorRef<Registration> replyTo) implements Command, CborSerializable {
    public Register {
      // From a broker of a version before Kafka listeners (a rolling upgrade): it has none.
      kafkaAddress = kafkaAddress == null ? "" : kafkaAddress;
    }
  }

  /** The broker's new epoch, or why it was not registered. */
  public record Registration(ErrorCode error, String message, long brokerEpoch, long controllerEpoch)
      implements CborSerializable {}

  public record Heartbeat(int brokerId, long brokerEpoch, ActorRef<HeartbeatReply> replyTo)
      implements Command, CborSerializable {}

  /** {@link ErrorCode#STALE_BROKER_EPOCH} or {@link ErrorCode#BROKER_ID_NOT_REGISTERED}: register again. */
  public record HeartbeatReply(ErrorCode error, String message, long controllerEpoch) implements CborSerializable {}

  /**
   * A broker stopping cleanly asks to be fenced now, rather than when its session expires: the
   * fence moves its leaderships to other in-sync replicas and takes it out of every ISR, and the
   * broker waits until its metadata and every live broker's show that ({@link LeadershipHandover},
   * Kafka's controlled shutdown). Answered once committed; asked again while that does not show.
   */
  public record ControlledShutdown(int brokerId, long brokerEpoch, ActorRef<HeartbeatReply> replyTo)
      implements Command, CborSerializable {}

  /** The active controller's committed metadata, pushed on every change and every few seconds. */
  /**
   * A partition's leader asks to change its ISR (Kafka's {@code AlterPartition}), under its broker
   * epoch, leader epoch and the partition epoch it saw; answered with the new partition epoch.
   */
  public record AlterIsr(int brokerId, long brokerEpoch, String topic, int partition, int leaderEpoch,
      int partitionEpoch, List<Integer> isr, ActorRef<AlterIsrReply> replyTo) implements Command, CborSerializable {}

  public record AlterIsrReply(ErrorCode error, String message, int partitionEpoch) implements CborSerializable {}

  public record MetadataPush(MetadataResponse metadata, ActorRef<Command> controller, long controllerEpoch)
      implements Command, CborSerializable {}

  // What this voter's quorum tells the actor, through QuorumEvents.
  record Applied(ControllerState state) implements Command, NoSerializationVerificationNeeded {}
  record LeaderChanged(int leaderId, long term) implements Command, NoSerializationVerificationNeeded {}
  record LeaderReady(long term) implements Command, NoSerializationVerificationNeeded {}
  enum QuorumStopped implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record ControllersListed(Set<ActorRef<Command>> controllers)
      implements Command, NoSerializationVerificationNeeded {}

  private enum Tick implements Command, NoSerializationVerificationNeeded { SESSIONS, PUSH, LEADER_IMBALANCE }

  /** A request kept while no controller is known, since {@code sinceNanos}. */
  private record Waiting(Command request, long sinceNanos) {}

  /** Kept requests older than this are dropped: their askers gave up (the client's request timeout). */
  private static final Duration WAIT_AT_MOST = Duration.ofSeconds(10);

  private record Proposed(Runnable reply) implements Command, NoSerializationVerificationNeeded {}

  /** An admin request forwarded to {@code controller}, not yet answered. */
  private record Forwarded(Admin admin, long sinceNanos, ActorRef<Command> controller) {}

  /** The controller's answer to forwarded request {@code id}; null when the ask gave up. */
  private record ForwardAnswered(long id, AdminResponse response)
      implements Command, NoSerializationVerificationNeeded {}

  /** How long a forwarded admin request's answer is awaited: longer than any asker waits. */
  private static final Duration FORWARD_AT_MOST = Duration.ofSeconds(60);

  /**
   * @param quorum this broker's voter, or empty when it is not a voter
   * @param events the quorum's events (unused without a quorum)
   */
  public static Behavior<Command> create(int brokerId, Optional<ControllerQuorum> quorum, QuorumEvents events,
      MetadataView view, QuorumTiming timing) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new Controller(context, timers, brokerId, quorum, events, view, timing).behavior()));
  }

  // ---------------------------------------------------------------- state

  private final ActorContext<Command> context;
  private final int brokerId;
  private final Optional<ControllerQuorum> quorum;
  private final MetadataView view;
  private final ClusterSharding sharding;
  private final BrokerSessions sessions;
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private final Set<ActorRef<Command>> controllers = new HashSet<>();
  /** Admin requests forwarded and not answered yet, by forward id, to send again if their controller goes. */
  private final Map<Long, Forwarded> forwarded = new HashMap<>();
  private long nextForwardId;

  /** Where requests go: this actor while it leads, another broker's controller, or null while unknown. */
  private ActorRef<Command> active;
  /** The broker id of {@link #active} when another broker's (from its push). */
  private int activeBrokerId = -1;
  private long activeEpoch;
  private boolean leading;
  /** What each admin request proposes, with the replication defaults from the config. */
  private final AdminEntries adminEntries;

  private Controller(ActorContext<Command> context, TimerScheduler<Command> timers, int brokerId,
      Optional<ControllerQuorum> quorum, QuorumEvents events, MetadataView view, QuorumTiming timing) {
    this.context = context;
    this.brokerId = brokerId;
    this.quorum = quorum;
    this.view = view;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.sessions = new BrokerSessions(timing.sessionTimeout());
    context.getSystem().receptionist().tell(Receptionist.register(CONTROLLER_KEY, context.getSelf()));
    context.getSystem().receptionist().tell(Receptionist.subscribe(CONTROLLER_KEY, context.messageAdapter(
        Receptionist.Listing.class, listing -> new ControllersListed(listing.getServiceInstances(CONTROLLER_KEY)))));
    Duration check = timing.heartbeatInterval().compareTo(Duration.ofMillis(200)) < 0
        ? timing.heartbeatInterval() : Duration.ofMillis(200);
    timers.startTimerWithFixedDelay(Tick.SESSIONS, check);
    timers.startTimerWithFixedDelay(Tick.PUSH, PUSH_INTERVAL);
    com.typesafe.config.Config config = context.getSystem().settings().config();
    this.adminEntries = AdminEntries.fromConfig(config);
    Duration imbalanceCheck = config.getDuration("tributary.controller.leader-imbalance-check-interval");
    if (!imbalanceCheck.isZero()) {
      timers.startTimerWithFixedDelay(Tick.LEADER_IMBALANCE, imbalanceCheck);
    }
    quorum.ifPresent(q -> events.attach(context.getSelf()));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onSignal(org.apache.pekko.actor.typed.PostStop.class, stop -> {
          answerWaitingAdminRequests();
          return Behaviors.same();
        })
        .onMessage(Admin.class, admin -> onRequest(admin.requestId().isEmpty()
            ? new Admin(admin.request(), UUID.randomUUID().toString()) : admin))
        .onMessage(ForwardAnswered.class, this::onForwardAnswered)
        .onMessage(AllocateProducerIds.class, this::onRequest)
        .onMessage(Register.class, this::onRequest)
        .onMessage(Heartbeat.class, this::onRequest)
        .onMessage(ControlledShutdown.class, this::onRequest)
        .onMessage(AlterIsr.class, this::onRequest)
        .onMessage(MetadataPush.class, this::onPush)
        .onMessage(Applied.class, applied -> {
          if (leading) {
            pushAll(ClusterMetadata.of(applied.state(), brokerId, activeEpoch));
          }
          return Behaviors.same();
        })
        .onMessage(LeaderChanged.class, this::onLeaderChanged)
        .onMessage(LeaderReady.class, this::onLeaderReady)
        .onMessage(ControllersListed.class, this::onControllersListed)
        .onMessageEquals(Tick.SESSIONS, this::onSessionCheck)
        .onMessageEquals(Tick.PUSH, () -> {
          if (leading) {
            pushAll(view.current());
          }
          return Behaviors.same();
        })
        .onMessageEquals(Tick.LEADER_IMBALANCE, this::onLeaderImbalanceCheck)
        .onMessageEquals(QuorumStopped.INSTANCE, () -> {
          if (org.apache.pekko.actor.CoordinatedShutdown.get(context.getSystem()).getShutdownReason().isEmpty()) {
            log.error("broker {}'s controller voter stopped (its log above says why): this broker no longer takes part "
                + "in the controller quorum; restart it", brokerId);
          }
          leading = false;
          active = null;
          return Behaviors.same();
        })
        .onMessage(Proposed.class, proposed -> {
          proposed.reply().run();
          return Behaviors.same();
        })
        .build();
  }

  // ---------------------------------------------------------------- who is the controller

  private Behavior<Command> onLeaderChanged(LeaderChanged changed) {
    if (changed.leaderId() != brokerId && leading) {
      stepDown(changed.leaderId() < 0 ? "it stepped down" : "broker " + changed.leaderId() + " leads");
    }
    if (changed.term() > activeEpoch && active != null && !leading) {
      active = null; // a newer term: the old controller's pushes no longer count; wait for the new one's
    }
    resendOrphanedForwards();
    return Behaviors.same();
  }

  private Behavior<Command> onLeaderReady(LeaderReady ready) {
    ControllerQuorum q = quorum.orElseThrow();
    if (!q.isReadyLeader()) {
      return Behaviors.same(); // told late: leadership already moved on
    }
    leading = true;
    active = context.getSelf();
    activeEpoch = Math.max(activeEpoch, ready.term());
    log.info("broker {} is the active controller (epoch {})", brokerId, activeEpoch);
    sessions.restart(q.state(), System.nanoTime());
    if (q.state().clusterId().isEmpty()) {
      propose(new ControllerRecord.InitCluster(UUID.randomUUID().toString()), null, outcome -> {}, error -> {});
    }
    pushAll(ClusterMetadata.of(q.state(), brokerId, activeEpoch));
    resendOrphanedForwards();
    drainWaiting();
    return Behaviors.same();
  }

  private Behavior<Command> onPush(MetadataPush push) {
    if (push.controllerEpoch() < activeEpoch) {
      log.debug("refused metadata from controller epoch {}: epoch {} is current", push.controllerEpoch(), activeEpoch);
      return Behaviors.same();
    }
    if (leading && !push.controller().equals(context.getSelf())) {
      return Behaviors.same(); // this voter leads a term at least as new; Ratis will depose one of us
    }
    activeEpoch = push.controllerEpoch();
    active = push.controller();
    activeBrokerId = push.metadata().controller();
    view.update(push.metadata());
    resendOrphanedForwards();
    drainWaiting();
    return Behaviors.same();
  }

  private Behavior<Command> onControllersListed(ControllersListed listed) {
    Set<ActorRef<Command>> added = new HashSet<>(listed.controllers());
    added.removeAll(controllers);
    controllers.clear();
    controllers.addAll(listed.controllers());
    if (leading) {
      MetadataPush push = new MetadataPush(view.current(), context.getSelf(), activeEpoch);
      added.stream().filter(c -> !c.equals(context.getSelf())).forEach(c -> c.tell(push));
    }
    return Behaviors.same();
  }

  private void pushAll(MetadataResponse metadata) {
    MetadataPush push = new MetadataPush(metadata, context.getSelf(), activeEpoch);
    controllers.stream().filter(c -> !c.equals(context.getSelf())).forEach(c -> c.tell(push));
  }

  // ---------------------------------------------------------------- requests

  private Behavior<Command> onRequest(Command request) {
    route(request, System.nanoTime());
    return Behaviors.same();
  }

  /** Handles, forwards or keeps a request first seen at {@code sinceNanos}. */
  private void route(Command request, long sinceNanos) {
    if (leading && !quorum.orElseThrow().isReadyLeader()) {
      stepDown("it lost its Raft leadership");
    }
    if (leading) {
      handle(request, sinceNanos);
    } else if (forwardable()) {
      if (request instanceof Admin admin) {
        forward(admin, sinceNanos);
      } else {
        active.tell(request); // brokers' own requests: their senders retry them
      }
    } else {
      if (waiting.size() >= MAX_WAITING) {
        waiting.removeFirst();
      }
      waiting.addLast(new Waiting(request, sinceNanos));
    }
  }

  /** Sends on what waited for a controller, but not what waited so long that its asker gave up. */
  private void drainWaiting() {
    List<Waiting> queued = new ArrayList<>(waiting);
    waiting.clear();
    long now = System.nanoTime();
    queued.stream().filter(w -> now - w.sinceNanos() < WAIT_AT_MOST.toNanos())
        .forEach(w -> route(w.request(), w.sinceNanos()));
  }

  /**
   * Whether requests may be forwarded to {@link #active}. A voter forwards only to the controller
   * its own Raft server follows: once that server stands for election or follows another leader,
   * the controller it forwards to is gone, and requests wait for the new one instead of being lost
   * on a dead broker until their askers time out. (A push may also come a moment before this
   * voter's server hears of its sender's leadership; requests then wait that moment.)
   */
  private boolean forwardable() {
    return active != null && !active.equals(context.getSelf())
        && (quorum.isEmpty() || quorum.get().leaderId() == activeBrokerId);
  }

  /**
   * Forwards an admin request and keeps it until answered. The controller's broker may die with
   * the request unanswered, and then the request is sent again to the next controller (see
   * {@link #resendOrphanedForwards}) instead of being lost until its asker times out.
   */
  private void forward(Admin admin, long sinceNanos) {
    long id = nextForwardId++;
    ActorRef<Command> controller = active;
    forwarded.put(id, new Forwarded(admin, sinceNanos, controller));
    context.ask(AdminResponse.class, controller, FORWARD_AT_MOST,
        replyTo -> new Admin(admin.request().withReplyTo(replyTo), admin.requestId()),
        (response, error) -> new ForwardAnswered(id, response));
  }

  private Behavior<Command> onForwardAnswered(ForwardAnswered answered) {
    Forwarded request = forwarded.remove(answered.id());
    if (request == null || answered.response() == null) {
      return Behaviors.same(); // sent again meanwhile (that copy answers), or its asker gave up long ago
    }
    if (answered.response().error() == ErrorCode.NOT_CONTROLLER) {
      route(request.admin(), request.sinceNanos()); // the forwardee stopped before a controller took it
    } else {
      request.admin().request().replyTo().tell(answered.response());
    }
    return Behaviors.same();
  }

  /**
   * Sends again the forwarded requests whose controller is no longer the one requests go to: a new
   * leader was elected, this voter's Raft server stands for election, or this voter leads. Followers'
   * Raft servers name the old leader until a new one wins, so this runs on every leader change and
   * push as well as on the session tick. The old controller may have committed a request before it
   * died; a create sent again then finds its own topic id (see {@link Admin}) and succeeds.
   */
  private void resendOrphanedForwards() {
    if (forwarded.isEmpty()) {
      return;
    }
    boolean current = !leading && forwardable();
    List<Forwarded> orphaned = new ArrayList<>();
    forwarded.values().removeIf(f -> {
      boolean orphan = !current || !f.controller().equals(active);
      if (orphan) {
        orphaned.add(f);
      }
      return orphan;
    });
    orphaned.forEach(f -> {
      log.debug("sending admin request {} again: its controller changed", f.admin().requestId());
      route(f.admin(), f.sinceNanos());
    });
  }

  /**
   * This broker stops: admin requests still waiting for a controller are told so now, rather than
   * left to time out at their clients (brokers' own requests are retried by their senders).
   */
  private void answerWaitingAdminRequests() {
    for (Waiting w : waiting) {
      if (w.request() instanceof Admin admin) {
        admin.request().replyTo().tell(AdminResponse.failed(ErrorCode.NOT_CONTROLLER,
            "the broker forwarding this request to the controller stopped before a controller took it; it was not "
                + "made: retry through another broker"));
      }
    }
    for (Forwarded f : forwarded.values()) {
      f.admin().request().replyTo().tell(AdminResponse.failed(ErrorCode.NOT_CONTROLLER,
          "the broker that forwarded this request to the controller stopped before the answer came; it may or may "
              + "not have been made (look before trying again through another broker)"));
    }
    waiting.clear();
    forwarded.clear();
  }

  private void stepDown(String why) {
    log.info("broker {} is no longer the active controller (epoch {}): {}", brokerId, activeEpoch, why);
    leading = false;
    active = null;
  }

  private void handle(Command request, long sinceNanos) {
    Retry retry = new Retry(request, sinceNanos);
    if (request instanceof Admin admin) {
      onAdmin(admin.request(), admin.requestId(), retry);
    } else if (request instanceof AllocateProducerIds allocate) {
      propose(new ControllerRecord.AllocateProducerIds(allocate.brokerId(), allocate.brokerEpoch(), allocate.count()),
          retry,
          o -> allocate.replyTo().tell(new ProducerIdBlock(o.error(), o.message(), o.value(), o.count())),
          error -> allocate.replyTo().tell(new ProducerIdBlock(ErrorCode.NOT_CONTROLLER, error, -1, 0)));
    } else if (request instanceof Register register) {
      propose(new ControllerRecord.RegisterBroker(register.brokerId(), register.incarnationId(), register.directoryId(),
              register.address(), register.kafkaAddress()),
          retry,
          o -> {
            sessions.heard(register.brokerId(), o.value(), System.nanoTime());
            ControllerState.Broker registered = quorum.orElseThrow().state().brokers().get(register.brokerId());
            if (registered != null && registered.newDirectory() && registered.epoch() == o.value()) {
              log.warn("broker {} registered with a new data directory {}: it holds none of its old data",
                  register.brokerId(), register.directoryId());
            }
            register.replyTo().tell(new Registration(ErrorCode.NONE, "", o.value(), activeEpoch));
          },
          error -> register.replyTo().tell(new Registration(ErrorCode.NOT_CONTROLLER, error, -1, activeEpoch)));
    } else if (request instanceof Heartbeat heartbeat) {
      Optional<ControllerState.Outcome> stale =
          quorum.orElseThrow().state().refuseStale(heartbeat.brokerId(), heartbeat.brokerEpoch());
      if (stale.isPresent()) {
        heartbeat.replyTo().tell(new HeartbeatReply(stale.get().error(), stale.get().message(), activeEpoch));
      } else {
        sessions.heard(heartbeat.brokerId(), heartbeat.brokerEpoch(), System.nanoTime());
        heartbeat.replyTo().tell(new HeartbeatReply(ErrorCode.NONE, "", activeEpoch));
      }
    } else if (request instanceof AlterIsr alter) {
      Optional<ControllerState.Outcome> stale = quorum.orElseThrow().state().refuseStale(alter.brokerId(), alter.brokerEpoch());
      if (stale.isPresent()) {
        alter.replyTo().tell(new AlterIsrReply(stale.get().error(), stale.get().message(), -1));
        return;
      }
      propose(new ControllerRecord.AlterPartition(alter.topic(), alter.partition(), alter.brokerId(), alter.leaderEpoch(),
              alter.partitionEpoch(), alter.isr()), retry,
          o -> alter.replyTo().tell(new AlterIsrReply(o.error(), o.message(), (int) o.value())),
          error -> alter.replyTo().tell(new AlterIsrReply(ErrorCode.NOT_CONTROLLER, error, -1)));
    } else if (request instanceof ControlledShutdown shutdown) {
      log.info("broker {} (epoch {}) is stopping: fencing it", shutdown.brokerId(), shutdown.brokerEpoch());
      propose(new ControllerRecord.FenceBroker(shutdown.brokerId(), shutdown.brokerEpoch()), retry,
          o -> shutdown.replyTo().tell(new HeartbeatReply(ErrorCode.NONE, "", activeEpoch)),
          error -> shutdown.replyTo().tell(new HeartbeatReply(ErrorCode.NOT_CONTROLLER, error, activeEpoch)));
    }
  }

  private Behavior<Command> onSessionCheck() {
    if (!leading) {
      resendOrphanedForwards();
      if (!waiting.isEmpty() && forwardable()) {
        drainWaiting();
      }
      return Behaviors.same();
    }
    if (!quorum.orElseThrow().isReadyLeader()) {
      // A backstop to notifyNotLeader: a deposed leader must stop acting as the controller.
      stepDown("it lost its Raft leadership");
      return Behaviors.same();
    }
    ControllerState state = quorum.orElseThrow().state();
    for (BrokerSessions.Expired expired : sessions.expired(state, System.nanoTime())) {
      log.info("broker {} (epoch {}) missed its session timeout: fencing it", expired.brokerId(), expired.epoch());
      propose(new ControllerRecord.FenceBroker(expired.brokerId(), expired.epoch()), null, outcome -> {},
          error -> sessions.fenceFailed(expired.brokerId()));
    }
    return Behaviors.same();
  }

  /**
   * Gives leadership back to preferred replicas that are live and in sync (Kafka's automatic
   * leader rebalance): one entry for all of them, decided when applied.
   */
  private Behavior<Command> onLeaderImbalanceCheck() {
    if (leading && quorum.orElseThrow().state().preferredLeaderImbalance() > 0) {
      log.info("moving leadership of {} partition(s) back to their preferred replicas",
          quorum.orElseThrow().state().preferredLeaderImbalance());
      propose(new ControllerRecord.ElectPreferredLeaders(), null, outcome -> {}, error -> {});
    }
    return Behaviors.same();
  }

  private void onAdmin(AdminRequest request, String requestId, Retry retry) {
    AdminEntries.Translated translated = adminEntries.translate(request, requestId);
    if (translated.entry() == null) {
      request.replyTo().tell(AdminResponse.failed(translated.error(), translated.message()));
      return;
    }
    ControllerRecord entry = translated.entry();
    propose(entry, retry, outcome -> {
      if (!outcome.succeeded()) {
        request.replyTo().tell(AdminResponse.failed(outcome.error(), outcome.message()));
      } else if (request instanceof AdminRequest.DeleteTopic) {
        TopicPartitions.delete(sharding, outcome.topic(), request.replyTo());
      } else {
        // Each broker's replica manager starts its new replicas when the change reaches it.
        TopicMetadata topic = view.current().topics().getOrDefault(outcome.topic().name(), outcome.topic());
        request.replyTo().tell(AdminResponse.ok(topic));
      }
    }, error -> request.replyTo().tell(AdminResponse.failed(ErrorCode.REQUEST_TIMED_OUT,
        "the controller lost its leadership while the change was being committed; it may or may not have been made "
            + "(look before trying again): " + error)));
  }

  /** A request to route again if its entry was refused for want of a leader (so never appended). */
  private record Retry(Command request, long sinceNanos) {}

  /**
   * Proposes an entry and runs {@code onOutcome} (or {@code onFailure} with the reason) in this
   * actor once it is committed and applied, or failed. An entry refused because this voter no
   * longer leads (or does not lead yet) was never appended: with a {@code retry}, its request is
   * routed again, to the next controller, as KRaft's forwarding retries NOT_CONTROLLER.
   */
  private void propose(ControllerRecord entry, Retry retry, java.util.function.Consumer<ControllerState.Outcome> onOutcome,
      java.util.function.Consumer<String> onFailure) {
    CompletionStage<ControllerState.Outcome> proposed = quorum.orElseThrow().propose(entry);
    context.pipeToSelf(proposed, (outcome, error) -> new Proposed(() -> {
      if (error == null) {
        onOutcome.accept(outcome);
        return;
      }
      Throwable cause = Failures.cause(error);
      if (ControllerQuorum.neverAppended(cause) && !quorum.orElseThrow().isReadyLeader()) {
        if (leading) {
          stepDown("its proposal was refused: " + describe(cause));
        }
        if (retry != null) {
          route(retry.request(), retry.sinceNanos());
          return;
        }
      }
      onFailure.accept(describe(cause));
    }));
  }

  private static String describe(Throwable error) {
    return error.getMessage() != null ? error.getMessage() : error.toString();
  }
}
