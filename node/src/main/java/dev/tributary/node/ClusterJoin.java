package dev.tributary.node;

import com.typesafe.config.Config;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a broker finds its cluster, one of three ways: the seed nodes it was given (Pekko joins
 * them by itself), Cluster Bootstrap through a Pekko Discovery method (on Kubernetes the
 * StatefulSet's pods, listed by the API server: no fixed seed list), or, with neither, it forms a
 * cluster of its own.
 */
public final class ClusterJoin {

  /** The discovery method for Cluster Bootstrap; empty: seeds, or a cluster of its own. */
  public static final String DISCOVERY = "tributary.cluster.discovery";

  /** Where Cluster Bootstrap reads its discovery method. */
  static final String BOOTSTRAP_METHOD = "pekko.management.cluster.bootstrap.contact-point-discovery.discovery-method";

  private static final Logger log = LoggerFactory.getLogger(ClusterJoin.class);

  private ClusterJoin() {}

  /** The configured discovery method, or empty. */
  static String discovery(Config config) {
    return config.getString(DISCOVERY).trim();
  }

  /**
   * Refuses a combination that cannot form one cluster: discovery with seeds (two answers to one
   * question), or discovery without fixed controller voters (every broker would be its own
   * controller).
   *
   * @throws IllegalArgumentException naming the settings and what to give instead
   */
  static void validate(Config config, List<String> seeds, boolean votersConfigured) {
    String method = discovery(config);
    if (method.isEmpty()) {
      return;
    }
    if (!seeds.isEmpty()) {
      throw new IllegalArgumentException(DISCOVERY + " = " + method + " and seed nodes are two ways to find the "
          + "cluster: give one of them");
    }
    if (!votersConfigured) {
      throw new IllegalArgumentException(DISCOVERY + " = " + method + " needs the controller's voters, the same list "
          + "on every broker (--controller-voters or tributary.controller.voters, e.g. "
          + "0@tributary-0.tributary:26610,1@tributary-1.tributary:26610,2@tributary-2.tributary:26610)");
    }
  }

  /**
   * Without discovery: nothing with seeds (Pekko joins {@code pekko.cluster.seed-nodes} by itself),
   * else this broker joins itself and forms a cluster of its own.
   */
  static void joinWithoutDiscovery(ActorSystem<?> system, List<String> seeds) {
    if (discovery(system.settings().config()).isEmpty() && seeds.isEmpty()) {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  /**
   * With discovery: starts Cluster Bootstrap once Pekko Management is up, since its contact
   * points are the brokers' management servers. It probes them until the configured number
   * answer ({@code required-contact-point-nr}), then joins the cluster they report, or the broker
   * with the lowest address forms it.
   */
  static void bootstrapWhenManaged(ActorSystem<?> system, CompletionStage<?> managementStarted) {
    if (discovery(system.settings().config()).isEmpty()) {
      return;
    }
    managementStarted.whenComplete((bound, failed) -> {
      if (failed != null) {
        log.error("Pekko Management did not start ({}), so Cluster Bootstrap cannot find the cluster: this broker "
            + "stays out of it; free tributary.management.port and start it again", failed.toString());
      } else {
        ClusterBootstrap.get(system).start();
      }
    });
    // Bootstrap probed the contact points through Pekko HTTP's shared pools: closed before the
    // system stops, which would otherwise log each pool as "shut down unexpectedly".
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "close-bootstrap-pools",
        () -> Http.get(system).shutdownAllConnectionPools().thenApply(done -> Done.getInstance()));
  }
}
