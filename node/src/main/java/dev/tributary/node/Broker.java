package dev.tributary.node;

import com.typesafe.config.Config;
import dev.tributary.admin.AdminServer;
import dev.tributary.admin.AdminSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.JournalSettings;
import dev.tributary.kafka.KafkaListener;
import dev.tributary.kafka.KafkaSecurity;
import dev.tributary.kafka.KafkaSettings;
import dev.tributary.node.controller.BrokerLifecycle;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.controller.ControllerQuorum;
import dev.tributary.node.controller.ControllerVoters;
import dev.tributary.node.controller.LeadershipHandover;
import dev.tributary.node.controller.QuorumEvents;
import dev.tributary.node.controller.QuorumTiming;
import dev.tributary.node.gateway.ControlGateway;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.group.GroupCoordinators;
import dev.tributary.node.group.GroupDirectory;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.partition.PartitionEntity;
import dev.tributary.node.partition.ReplicaContext;
import dev.tributary.node.replication.ReplicaFetchers;
import dev.tributary.node.replication.ReplicaManager;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.Tributary;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the actor system with partitions sharded, this broker's controller door (and,
 * on a voter, its member of the controller's Raft group), its session with the controller and the
 * two gateways. A broker without seed nodes joins itself and forms a single-node cluster; without
 * configured voters as well, it is the controller quorum's only voter.
 */
public final class Broker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  private final ActorSystem<Void> system;
  private final DataDirLock lock;
  private final MetadataView metadata;
  private final BrokerMetrics metrics = new BrokerMetrics();
  private final Optional<ControllerQuorum> quorum;
  private final BrokerLifecycle.Epoch brokerEpoch = new BrokerLifecycle.Epoch();

  private final CompletionStage<ServerBinding> admin;
  private final CompletionStage<org.apache.pekko.http.javadsl.model.Uri> management;
  private final CompletableFuture<Void> gatewaysStarted = new CompletableFuture<>();
  private final CompletionStage<org.apache.pekko.stream.javadsl.Tcp.ServerBinding> kafka;
  // Known once the Kafka listener is bound (its port may be 0); the first registration waits for it.
  private final CompletableFuture<String> kafkaAddress = new CompletableFuture<>();
  private final List<Runnable> stopListeners = new java.util.ArrayList<>(); // guarded by itself
  private boolean hasStopped; // guarded by stopListeners

  private Broker(BrokerSettings settings, Config config, DataDirLock lock, String directoryId, MetadataView metadata,
      Optional<ControllerQuorum> quorum, QuorumEvents events, QuorumTiming timing) {
    this.lock = lock;
    this.metadata = metadata;
    this.quorum = quorum;
    metrics.controllerGauges(() -> metadata.current().controllerEpoch(),
        () -> metadata.current().controller() == settings.nodeId() && quorum.map(ControllerQuorum::isReadyLeader).orElse(false),
        () -> metadata.current().brokerInfo().stream().filter(b -> b.fenced()).count());
    metrics.partitionPlacementGauges(metadata::current, settings.nodeId());
    this.system = ActorSystem.create(guardian(settings, directoryId, events, timing), Tributary.SYSTEM_NAME, config);
    // The journal closes in coordinated shutdown, before the system terminates; only then may
    // another broker have the directory. A system that stops on its own (SIGTERM, downed, a failed
    // start) releases it here; close() also releases it itself, before it returns.
    // A voter leaves the quorum early in a shutdown (after this broker asked to be fenced), so the
    // others elect a new controller while this broker still stops its partitions, rather than after.
    quorum.ifPresent(q -> org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
        org.apache.pekko.actor.CoordinatedShutdown.PhaseServiceUnbind(), "close-controller-voter", () -> {
          q.close();
          return CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
        }));
    // A termination callback, not whenTerminated(): it runs before the JVM's shutdown hook lets a
    // process stopped by SIGTERM exit, and before anyone waiting on whenTerminated() goes on.
    try {
      Adapter.toClassic(system).registerOnTermination(this::stopped);
    } catch (java.util.concurrent.RejectedExecutionException alreadyTerminated) { // a failed start
      stopped();
    }
    // The admin API is one more client of this broker's own gateway, through the same facade.
    // It resolves the gateway by path, so it starts once the gateways exist.
    String self = settings.host() + ":" + port();
    AdminSettings adminSettings = AdminSettings.fromRoot(config);
    BrokerStatus status = new BrokerStatus(system, metadata, events::voterStopped, settings.nodeId(),
        brokerEpoch::registered);
    BrokerReadiness.Status.install(Adapter.toClassic(system), status);
    Optional<javax.net.ssl.SSLContext> tls = tlsContext(config);
    // The Kafka listener is the broker's second front door, sharing that client: one broker, two
    // doors to the same gateways. It binds now, so registration can name its address, and holds
    // requests until the gateways run.
    CompletionStage<TributaryClient> ownClient = gatewaysStarted.thenApply(started ->
        TributaryClient.fromSystem(system, self, adminSettings.requestTimeout()));
    this.admin = ownClient.thenCompose(client -> AdminServer.start(system, adminSettings, client, status,
        metrics.registry(), tls));
    KafkaSettings kafkaSettings = KafkaSettings.fromRoot(config);
    this.kafka = KafkaListener.start(system, kafkaSettings, settings.host(), ownClient,
        BrokerTopicRules.fromConfig(config, JournalSettings.fromRoot(config).storage().segmentBytes()),
        new KafkaSecurity(adminSettings.token(), tls));
    kafka.whenComplete((binding, failed) -> {
      if (failed != null) {
        log.error("The Kafka listener could not bind {}:{}: {}", kafkaSettings.bindInterface(settings.host()),
            kafkaSettings.port(), failed.getMessage());
        kafkaAddress.completeExceptionally(failed);
      } else {
        kafkaAddress.complete(kafkaSettings.advertisedAddress(settings.host(), binding.localAddress().getPort()));
      }
    });
    org.apache.pekko.actor.CoordinatedShutdown.get(system).addTask(
        org.apache.pekko.actor.CoordinatedShutdown.PhaseServiceUnbind(), "unbind-kafka-listener", () ->
            kafka.thenCompose(binding -> binding.unbind()).exceptionally(notBound -> null)
                .thenApply(unbound -> org.apache.pekko.Done.getInstance()));
    // Kubernetes' probes: /alive and /ready (BrokerReadiness) on tributary.management.port.
    // With TLS, Management serves HTTPS, and Cluster Bootstrap's probes of the other brokers'
    // management servers (Pekko HTTP's default client context) trust the same CA (ContactPointTls).
    tls.ifPresent(context -> org.apache.pekko.http.javadsl.Http.get(system).setDefaultClientHttpsContext(
        dev.tributary.node.tls.ContactPointTls.client(context)));
    this.management = org.apache.pekko.management.javadsl.PekkoManagement.get(Adapter.toClassic(system))
        .start(routes -> tls.map(context -> routes.withHttpsConnectionContext(
            org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(context))).orElse(routes));
    // Only then may it join: Cluster Bootstrap's contact points are the brokers' management servers.
    ClusterJoin.bootstrapWhenManaged(system, management);
  }

  /** The admin API's and Management's TLS, from tributary.tls.dir (read now: a bad file fails the start). */
  private static Optional<javax.net.ssl.SSLContext> tlsContext(Config config) {
    String dir = config.getString(BrokerSettings.TLS_DIR).trim();
    return dir.isEmpty() ? Optional.empty()
        : Optional.of(new dev.tributary.node.tls.TlsDirectory(java.nio.file.Path.of(dir)).sslContext());
  }

  /** Pekko Management's bound port, once bound. */
  public int managementPort() {
    return management.toCompletableFuture().join().port();
  }

  /** The advertised {@code host:port} of the Kafka listener, once bound. */
  public String kafkaAddress() {
    return kafkaAddress.join();
  }

  /** The admin API's bound port, once bound. */
  public int adminPort() {
    return admin.toCompletableFuture().join().localAddress().getPort();
  }

  /**
   * Starts a broker: validates its settings, locks its data directory (one broker per directory)
   * and checks the directory belongs to this broker id, all before the actor system and the
   * journal open.
   *
   * @throws IllegalArgumentException when a setting is invalid
   * @throws IllegalStateException when another broker holds the data directory, or it belongs to
   *     another broker id
   * @throws java.io.UncheckedIOException when the data directory cannot be created or locked
   */
  public static Broker start(BrokerSettings settings) {
    Config config = settings.toConfig();
    // Read once here so a bad value is one clear error, not a failed guardian and a stopped system.
    TopicConfig.defaults(config, JournalSettings.fromRoot(config).storage().segmentBytes());
    AdminSettings.fromRoot(config);
    tlsContext(config);
    QuorumTiming timing = QuorumTiming.fromRoot(config);
    ControllerVoters voters = voters(settings, config);
    ClusterJoin.validate(config, settings.seeds(),
        !ControllerVoters.parse(config.getString("tributary.controller.voters")).isEmpty());
    DataDirLock lock = DataDirLock.acquire(settings.dataDir());
    Optional<ControllerQuorum> quorum = Optional.empty();
    try {
      refuseLegacyController(settings.dataDir());
      String directoryId = DataDirOwner.claim(settings.dataDir(), settings.nodeId());
      MetadataView metadata = new MetadataView();
      QuorumEvents events = new QuorumEvents(metadata);
      if (voters.voter(settings.nodeId()).isPresent()) {
        quorum = Optional.of(ControllerQuorum.start(settings.nodeId(), voters,
            settings.dataDir().resolve(CONTROLLER_DIR), voters.voters().size() == 1 ? timing.forSingleVoter() : timing,
            config.getBytes("tributary.controller.log-segment-size"), events));
      }
      return new Broker(settings, config, lock, directoryId, metadata, quorum, events, timing);
    } catch (RuntimeException e) {
      quorum.ifPresent(ControllerQuorum::close);
      lock.close();
      throw e;
    }
  }

  /**
   * A data directory from before the controller quorum kept the cluster's topics in the journal's
   * {@code __controller} log, which this version does not read. Starting on it would lose every
   * topic and hand out producer ids its partitions already know, so it is refused.
   */
  private static void refuseLegacyController(java.nio.file.Path dataDir) {
    java.nio.file.Path legacy = dataDir.resolve("journal").resolve("__controller");
    if (java.nio.file.Files.isDirectory(legacy) && !java.nio.file.Files.isDirectory(dataDir.resolve(CONTROLLER_DIR))) {
      throw new IllegalStateException("data directory " + dataDir.toAbsolutePath() + " holds the controller log of a "
          + "Tributary version before the controller quorum (" + legacy + "), which this version cannot import: "
          + "start it with that version, or give this broker an empty --data-dir");
    }
  }

  /** Where a voter keeps the controller's Raft log and snapshots, under the data directory. */
  static final String CONTROLLER_DIR = "controller";

  /**
   * The controller's voters: as configured; else, for a broker that forms its own cluster (no
   * seeds), itself alone; else none known here (it joins a cluster whose voters are elsewhere and
   * learns the active controller from its pushes).
   */
  private static ControllerVoters voters(BrokerSettings settings, Config config) {
    ControllerVoters configured = ControllerVoters.parse(config.getString("tributary.controller.voters"));
    if (!configured.isEmpty() || !settings.seeds().isEmpty()) {
      return configured;
    }
    return new ControllerVoters(List.of(new ControllerVoters.Voter(settings.nodeId(), settings.host(), 0)));
  }

  private Behavior<Void> guardian(BrokerSettings settings, String directoryId, QuorumEvents events,
      QuorumTiming timing) {
    return Behaviors.setup(context -> {
      ActorSystem<Void> sys = context.getSystem();
      JournalExtension.get(Adapter.toClassic(sys)); // open the storage engine before traffic
      TopicConfig defaults = TopicConfig.defaults(sys.settings().config(),
          JournalExtension.get(Adapter.toClassic(sys)).settings().storage().segmentBytes());
      ActorRef<dev.tributary.protocol.message.GatewayRequest> dataGatewayDoor =
          context.spawn(DataGateway.create(metadata, settings.nodeId(), defaults), Tributary.DATA_GATEWAY_NAME);
      ActorRef<DataGateway.Command> dataGateway = DataGateway.commands(dataGatewayDoor);
      ActorRef<Controller.Command> controller = context.spawn(
          Controller.create(settings.nodeId(), quorum, events, metadata, timing), CONTROLLER_NAME);
      ActorRef<ReplicaFetchers.Command> fetchers = context.spawn(ReplicaFetchers.create(settings.nodeId(),
          brokerEpoch::get, metadata, timing.sessionTimeout()), REPLICA_FETCHERS_NAME);
      ReplicaContext replication = new ReplicaContext(settings.nodeId(), brokerEpoch::get, controller, fetchers,
          sys.settings().config().getDuration("tributary.broker.replica-lag-time-max"));
      ClusterSharding.get(sys).init(
          Entity.of(Tributary.PARTITION_ENTITY, entity ->
                  PartitionEntity.create(entity.getEntityId(), metadata, defaults, dataGateway, metrics, replication))
              .withMessageExtractor(new PartitionShards())
              .withAllocationStrategy(new PartitionAllocationStrategy(org.apache.pekko.cluster.typed.Cluster.get(sys))));
      context.spawn(ReplicaManager.create(settings.nodeId(), metadata), "replica-manager");
      Cluster cluster = Cluster.get(sys);
      String address = settings.host() + ":" + cluster.selfMember().address().getPort().orElseThrow();
      ActorRef<BrokerLifecycle.Command> lifecycle = context.spawn(
          BrokerLifecycle.create(settings.nodeId(), directoryId, address,
              kafkaAddress,
              controller, timing, brokerEpoch, () -> metadata.current().controllerEpoch()), "lifecycle");
      // A clean stop is Kafka's controlled shutdown: fenced at once, not a session timeout later, and
      // gone only once its leaderships have moved and every live broker knows the new leaders.
      Duration handoverTimeout = LeadershipHandover.timeout(sys.settings().config());
      ActorRef<LeadershipHandover.Command> handover = context.spawn(LeadershipHandover.create(settings.nodeId(),
          brokerEpoch::get, metadata, lifecycle, defaults, handoverTimeout), "leadership-handover");
      org.apache.pekko.actor.CoordinatedShutdown.get(sys).addTask(
          org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeServiceUnbind(), "controlled-shutdown", () ->
              org.apache.pekko.actor.typed.javadsl.AskPattern.<LeadershipHandover.Command, org.apache.pekko.Done>ask(
                  handover, LeadershipHandover.Start::new, handoverTimeout.plusSeconds(2), sys.scheduler())
                  .exceptionally(timedOut -> org.apache.pekko.Done.getInstance()));
      warnOfLegacyGroups(new GroupDirectory(JournalExtension.get(Adapter.toClassic(sys)).settings().storage().root()));
      ActorRef<GroupCoordinators.Command> groups = context.spawn(
          GroupCoordinators.create(settings.nodeId(), metadata, dataGatewayDoor, controller, metrics), GroupCoordinators.NAME);
      context.spawn(ControlGateway.create(metadata, controller, lifecycle, groups), Tributary.GATEWAY_NAME);
      gatewaysStarted.complete(null);
      context.spawn(ClusterMembershipLog.create(), ClusterMembershipLog.NAME);
      ClusterJoin.joinWithoutDiscovery(sys, settings.seeds());
      log.info("Tributary broker {} listening on {}, data in {}", settings.nodeId(),
          cluster.selfMember().address(), settings.dataDir().toAbsolutePath());
      return Behaviors.empty();
    });
  }

  /**
   * Offsets stored before groups moved to the replicated group log (one journal log per group,
   * {@code __group-<id>}) are not carried over: said once at start, naming the groups, so nobody
   * wonders why a group starts from its reset policy.
   */
  private static void warnOfLegacyGroups(GroupDirectory legacy) {
    List<String> groups = legacy.groups();
    if (!groups.isEmpty()) {
      log.warn("This data directory holds committed offsets of {} group(s) in the layout before the replicated group "
          + "log (__group-<id>): {}. They are not carried over: those groups start from their consumers' "
          + "auto.offset.reset (or reset them with: tributary group reset-offsets).", groups.size(), groups);
    }
  }

  /** The replica fetchers' name: {@code /user/replica-fetchers/*} is a large-message destination. */
  static final String REPLICA_FETCHERS_NAME = "replica-fetchers";

  /** The controller door's name, {@code /user/controller}. */
  static final String CONTROLLER_NAME = "controller";

  public ActorSystem<Void> system() {
    return system;
  }

  public MetadataView metadata() {
    return metadata;
  }

  /** This broker's voter of the controller quorum, if it is one. */
  public Optional<ControllerQuorum> controllerVoter() {
    return quorum;
  }

  /** The port Artery listens on (useful when configured as 0). */
  public int port() {
    return Cluster.get(system).selfMember().address().getPort().orElseThrow();
  }

  /**
   * Completes when the broker has joined its cluster, has the controller's metadata and is
   * registered with the controller.
   */
  public CompletionStage<Void> ready(Duration timeout) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Runnable check = new Runnable() {
      @Override
      public void run() {
        boolean up = Cluster.get(system).selfMember().status() == org.apache.pekko.cluster.MemberStatus.up();
        if (kafkaAddress.isCompletedExceptionally()) {
          ready.completeExceptionally(new IllegalStateException("the Kafka listener could not bind: "
              + kafkaAddress.handle((address, failed) -> failed.getMessage()).join()));
        } else if (up && metadata.received() && brokerEpoch.registered()) {
          ready.complete(null);
        } else if (system.getWhenTerminated().toCompletableFuture().isDone()) {
          ready.completeExceptionally(new IllegalStateException("the broker stopped while starting (its log says why)"));
        } else if (System.nanoTime() > deadline) {
          ready.completeExceptionally(new IllegalStateException("the broker did not become ready in " + timeout));
        } else {
          try {
            system.scheduler().scheduleOnce(Duration.ofMillis(50), this, system.executionContext());
          } catch (IllegalStateException terminated) { // the scheduler stops with the system
            ready.completeExceptionally(new IllegalStateException("the broker stopped while starting (its log says why)"));
          }
        }
      }
    };
    check.run();
    return ready;
  }

  /** Leaves the cluster and stops, closing the journal cleanly. */
  @Override
  public void close() {
    if (gatewaysStarted.isDone()) { // else the admin API never starts: nothing to unbind
      admin.thenCompose(binding -> binding.terminate(Duration.ofSeconds(5))).toCompletableFuture()
          .exceptionally(e -> null).join();
    }
    // Unbound before the system stops, as the admin API is: no Kafka client reaches a stopping broker.
    kafka.thenCompose(binding -> binding.unbind()).toCompletableFuture().exceptionally(e -> null).join();
    system.terminate();
    awaitTermination();
    closeQuorumThenUnlock();
  }

  /**
   * Longer than every coordinated-shutdown phase together (the leadership handover alone may take
   * 30 s). A system still running after that waits on something that will not come: in Pekko 1.2,
   * Artery's shutdown waits for its remoting streams without a deadline, and now and then one of
   * them never completes (apache/pekko#3247; bounded in a later release by #3317).
   */
  private static final Duration TERMINATION_LIMIT = Duration.ofSeconds(60);

  /**
   * Remoting shuts down only after the user guardian has stopped, so when Artery is what is stuck,
   * no partition, group or controller actor of this broker still runs, and every write the journal
   * acknowledged is already in its files. The broker then releases its quorum log and directory
   * and returns rather than hang its caller; the log says so, with every thread's stack in case
   * the cause is ours after all.
   */
  private void awaitTermination() {
    try {
      system.getWhenTerminated().toCompletableFuture().get(TERMINATION_LIMIT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException stuck) {
      log.warn("broker {} has not finished stopping {} s after it was closed; it releases its data directory"
              + " and returns anyway. What its threads are doing:\n{}", system.address(),
          TERMINATION_LIMIT.toSeconds(), ThreadDump.ofAllThreads());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while broker " + system.address() + " stopped", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("broker " + system.address() + " failed to stop", e.getCause());
    }
  }

  /** Once the actor system has terminated: the directory is free, and then the listeners hear it. */
  private void stopped() {
    try {
      closeQuorumThenUnlock();
    } finally {
      gatewaysStarted.completeExceptionally(new IllegalStateException("the broker stopped before it started"));
      List<Runnable> listeners;
      synchronized (stopListeners) {
        hasStopped = true;
        listeners = List.copyOf(stopListeners);
      }
      listeners.forEach(Runnable::run);
    }
  }

  /**
   * Runs {@code listener} once this broker has stopped, however it stopped (closed, SIGTERM, downed
   * by the cluster): its actors stopped, its journal and quorum log closed and its data directory
   * unlocked. It runs before {@link #whenTerminated()} completes, on the thread that finished the
   * shutdown, or at once on the caller's when the broker already stopped. Keep it quick.
   */
  public void onStopped(Runnable listener) {
    synchronized (stopListeners) {
      if (!hasStopped) {
        stopListeners.add(listener);
        return;
      }
    }
    listener.run();
  }

  /** The directory is another broker's to take only once the quorum's log is closed too. */
  private void closeQuorumThenUnlock() {
    try {
      quorum.ifPresent(ControllerQuorum::close);
    } finally {
      lock.close();
    }
  }

  public CompletionStage<org.apache.pekko.Done> whenTerminated() {
    return system.getWhenTerminated();
  }
}
