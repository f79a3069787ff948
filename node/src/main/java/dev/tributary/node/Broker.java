package dev.tributary.node;

import com.typesafe.config.Config;
import dev.tributary.admin.AdminServer;
import dev.tributary.admin.AdminSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.JournalSettings;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.gateway.ControlGateway;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.group.GroupCoordinator;
import dev.tributary.node.group.GroupDirectory;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.partition.PartitionEntity;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.Tributary;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running broker: the actor system with partitions sharded, the controller singleton and the
 * two gateways. A broker without seed nodes joins itself and forms a single-node cluster.
 */
public final class Broker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Broker.class);

  private final ActorSystem<Void> system;
  private final DataDirLock lock;
  private final MetadataView metadata = new MetadataView();
  private final BrokerMetrics metrics = new BrokerMetrics();

  private final CompletionStage<ServerBinding> admin;
  private final CompletableFuture<Void> gatewaysStarted = new CompletableFuture<>();

  private Broker(BrokerSettings settings, Config config, DataDirLock lock) {
    this.lock = lock;
    this.system = ActorSystem.create(guardian(settings), Tributary.SYSTEM_NAME, config);
    // The journal closes in coordinated shutdown, before the system terminates; only then may
    // another broker have the directory. A system that stops on its own (SIGTERM, downed, a failed
    // start) releases it here; close() also releases it itself, before it returns.
    system.getWhenTerminated().thenRun(() -> {
      lock.close();
      gatewaysStarted.completeExceptionally(new IllegalStateException("the broker stopped before it started"));
    });
    // The admin API is one more client of this broker's own gateway, through the same facade.
    // It resolves the gateway by path, so it starts once the gateways exist.
    String self = settings.host() + ":" + port();
    AdminSettings adminSettings = AdminSettings.fromRoot(config);
    this.admin = gatewaysStarted.thenCompose(started -> AdminServer.start(system, adminSettings,
        TributaryClient.fromSystem(system, self, adminSettings.requestTimeout()),
        new BrokerStatus(system, metadata),
        metrics.registry()));
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
    DataDirLock lock = DataDirLock.acquire(settings.dataDir());
    try {
      DataDirOwner.claim(settings.dataDir(), settings.nodeId());
      return new Broker(settings, config, lock);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  private Behavior<Void> guardian(BrokerSettings settings) {
    return Behaviors.setup(context -> {
      ActorSystem<Void> sys = context.getSystem();
      JournalExtension.get(Adapter.toClassic(sys)); // open the storage engine before traffic
      TopicConfig defaults = TopicConfig.defaults(sys.settings().config(),
          JournalExtension.get(Adapter.toClassic(sys)).settings().storage().segmentBytes());
      ActorRef<DataGateway.Command> dataGateway =
          DataGateway.commands(context.spawn(DataGateway.create(metadata), Tributary.DATA_GATEWAY_NAME));
      ClusterSharding.get(sys).init(
          Entity.of(Tributary.PARTITION_ENTITY,
                  entity -> PartitionEntity.create(entity.getEntityId(), metadata, defaults, dataGateway, metrics))
              .withMessageExtractor(new PartitionShards())
              .withAllocationStrategy(new PartitionAllocationStrategy(metadata, org.apache.pekko.cluster.typed.Cluster.get(sys))));
      ClusterSharding.get(sys).init(
          Entity.of(Tributary.GROUP_ENTITY, entity -> GroupCoordinator.create(entity.getEntityId(), metadata, metrics)));
      ActorRef<Controller.Command> controller =
          ClusterSingleton.get(sys).init(SingletonActor.of(Controller.create(), "controller"));
      GroupDirectory groups = new GroupDirectory(JournalExtension.get(Adapter.toClassic(sys)).settings().storage().root());
      context.spawn(ControlGateway.create(metadata, controller, groups), Tributary.GATEWAY_NAME);
      gatewaysStarted.complete(null);
      Cluster cluster = Cluster.get(sys);
      if (settings.seeds().isEmpty()) {
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
      }
      log.info("Tributary broker {} listening on {}, data in {}", settings.nodeId(),
          cluster.selfMember().address(), settings.dataDir().toAbsolutePath());
      return Behaviors.empty();
    });
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public MetadataView metadata() {
    return metadata;
  }

  /** The port Artery listens on (useful when configured as 0). */
  public int port() {
    return Cluster.get(system).selfMember().address().getPort().orElseThrow();
  }

  /** Completes when the broker has joined its cluster and its gateway has the controller's metadata. */
  public CompletionStage<Void> ready(Duration timeout) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Runnable check = new Runnable() {
      @Override
      public void run() {
        boolean up = Cluster.get(system).selfMember().status() == org.apache.pekko.cluster.MemberStatus.up();
        if (up && metadata.received()) {
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
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().join();
    lock.close();
  }

  public CompletionStage<org.apache.pekko.Done> whenTerminated() {
    return system.getWhenTerminated();
  }
}
