package dev.tributary.node.cli;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.FsyncPolicy;
import dev.tributary.node.Broker;
import dev.tributary.node.BrokerIds;
import dev.tributary.node.ClusterJoin;
import dev.tributary.node.BrokerSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.CoordinatedShutdown;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary start}: a broker in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "start",
    description = "Start a broker. Alone it forms a single-node cluster; with --seed it joins one.")
final class StartCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Option(names = "--data-dir", defaultValue = "data", paramLabel = "<dir>",
      description = "Data directory (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--node-id", paramLabel = "<id>", converter = Ranges.NonNegative.class,
      description = "This broker's id (default: $TRIBUTARY_NODE_ID, else the ordinal of a StatefulSet pod in "
          + "$POD_NAME, else 0).")
  Integer nodeIdFlag;

  /** The broker's id: the flag, else from the environment (BrokerIds.fromEnvironment). */
  private int nodeId;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "<host>",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "25520", paramLabel = "<port>", converter = Ranges.Port.class,
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--seed", paramLabel = "<host:port>", converter = CliArgs.HostPort.class,
      description = "A broker of the cluster to join (repeatable).")
  List<String> seeds = new ArrayList<>();

  @Option(names = "--discovery", paramLabel = "<method>", converter = CliArgs.Discovery.class,
      completionCandidates = CliArgs.Discovery.class,
      description = "Find the cluster through Pekko Cluster Bootstrap instead of --seed: kubernetes-api (the pods of "
          + "the StatefulSet) or config (pekko.discovery.config.services.tributary.endpoints).")
  String discovery;

  @Option(names = "--controller-voters", paramLabel = "<id@host:port>[,...]", converter = CliArgs.Voters.class,
      description = "The brokers whose Raft group commits the cluster's metadata, as Kafka's controller.quorum.voters "
          + "(the same list on every broker; default: this broker alone, unless --seed is given).")
  String controllerVoters;

  @Option(names = "--failover", paramLabel = "default|fast", converter = CliArgs.Failover.class,
      completionCandidates = CliArgs.Failover.class,
      description = "How soon a silent broker is fenced: default (9 s, Kafka's) or fast (about 2 s).")
  String failover;

  @Option(names = "--fsync", paramLabel = "always|interval|never", converter = CliArgs.Fsync.class,
      completionCandidates = CliArgs.Fsync.class,
      description = "When the journal fsyncs (default: the journal's, always).")
  FsyncPolicy fsync;

  @Option(names = "--admin-port", paramLabel = "<port>", converter = Ranges.Port.class,
      description = "Port of the HTTP admin API (default: 8080).")
  Integer adminPort;

  @Option(names = "--kafka-port", paramLabel = "<port>", converter = Ranges.Port.class,
      description = "Port of the Kafka protocol listener, for Kafka clients and kcat (default: 9092).")
  Integer kafkaPort;

  @Option(names = "--tls-dir", paramLabel = "<dir>",
      description = "Switch on TLS with DIR's ca.crt, tls.crt and tls.key (tributary tls init, or a Kubernetes TLS "
          + "secret): Artery with mutual authentication, HTTPS for the admin API and /ready (default: $TRIBUTARY_TLS_DIR).")
  Path tlsDir;

  @Option(names = "--management-port", paramLabel = "<port>", converter = Ranges.Port.class,
      description = "Port of Pekko Management's /alive and /ready, for Kubernetes probes (default: 7626).")
  Integer managementPort;

  @Override
  public Integer call() {
    try {
      nodeId = nodeIdFlag != null ? nodeIdFlag : BrokerIds.fromEnvironment(System.getenv());
    } catch (IllegalArgumentException badEnvironment) {
      throw UsageErrors.of(spec, badEnvironment.getMessage());
    }
    if (discovery != null && !seeds.isEmpty()) {
      throw UsageErrors.of(spec, "--discovery and --seed are two ways to find the cluster: give one of them");
    }
    BrokerSettings settings = settings();
    Config config = settings.toConfig();
    // Probed before the actor system starts: a busy port is one line naming the flag, not an
    // Artery or HTTP bind failure logged with its stack trace.
    requireFree("--port", host, port);
    requireFree("--admin-port", config.getString("tributary.admin.interface"), config.getInt("tributary.admin.port"));
    requireFree("--management-port", host, config.getInt("tributary.management.port"));
    dev.tributary.kafka.KafkaSettings kafka = dev.tributary.kafka.KafkaSettings.fromRoot(config);
    requireFree("--kafka-port", kafka.bindInterface(host), kafka.port());
    Broker broker = Broker.start(settings);
    int boundAdminPort;
    int boundManagementPort;
    try {
      ClientOptions.await(broker.ready(Duration.ofSeconds(60)));
      boundAdminPort = broker.adminPort();
      boundManagementPort = broker.managementPort();
    } catch (RuntimeException e) {
      broker.close();
      throw new IllegalStateException("the broker did not start: " + TributaryCli.describe(e));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Tributary broker " + nodeId + " is up on " + host + ":" + broker.port()
        + " (Kafka clients on " + broker.kafkaAddress() + ", admin API on port " + boundAdminPort + ", /ready on port "
        + boundManagementPort + "), data in " + dataDir.toAbsolutePath().normalize()
        + ". Stop it with Ctrl-C.");
    out.flush();
    // Pekko's JVM shutdown hook runs coordinated shutdown on SIGTERM and Ctrl-C: the broker leaves
    // its cluster and the journal closes cleanly before the process exits. The line is printed
    // from the broker's stop listener, which that hook waits for: after whenTerminated() the JVM
    // may already be gone.
    broker.onStopped(() -> {
      out.println("Tributary broker " + nodeId + " stopped" + why(broker) + ".");
      out.flush();
    });
    broker.whenTerminated().toCompletableFuture().join();
    return 0;
  }

  /** Nothing for a stop asked for (Ctrl-C, SIGTERM, or the broker closed); why the cluster stopped it otherwise. */
  private static String why(Broker broker) {
    CoordinatedShutdown.Reason reason = CoordinatedShutdown.get(broker.system()).getShutdownReason()
        .orElse(CoordinatedShutdown.unknownReason());
    if (reason.equals(CoordinatedShutdown.clusterDowningReason())) {
      return ": the cluster downed it (the other brokers' logs say why)";
    }
    return "";
  }

  private static final String GROUP_REPLICATION_FACTOR = "tributary.groups.replication-factor";

  /** Whether the user's config (application.conf, -D) sets {@code path}, not only reference.conf. */
  private static boolean userSets(String path) {
    com.typesafe.config.ConfigOrigin origin = com.typesafe.config.ConfigFactory.load().getValue(path).origin();
    return origin.resource() == null || !origin.resource().endsWith("reference.conf");
  }

  /** The flags as broker settings; picocli's converters checked each value while parsing. */
  private BrokerSettings settings() {
    Map<String, Object> overrides = new HashMap<>();
    if (fsync != null) {
      overrides.put("tributary.journal.fsync", fsync.name().toLowerCase(Locale.ROOT));
    }
    if (controllerVoters != null) {
      overrides.put("tributary.controller.voters", controllerVoters);
    }
    if (failover != null) {
      overrides.put("tributary.failover", failover);
    }
    if (adminPort != null) {
      overrides.put("tributary.admin.port", adminPort);
    }
    if (managementPort != null) {
      overrides.put("tributary.management.port", managementPort);
    }
    if (kafkaPort != null) {
      overrides.put("tributary.kafka.port", kafkaPort);
    }
    if (discovery != null) {
      overrides.put(ClusterJoin.DISCOVERY, discovery);
    }
    if (tlsDir != null) {
      overrides.put(BrokerSettings.TLS_DIR, tlsDir.toAbsolutePath().toString());
    }
    if (seeds.isEmpty() && discovery == null && controllerVoters == null && !userSets(GROUP_REPLICATION_FACTOR)) {
      // A broker alone, its own controller: one copy of the group log, as Kafka's quickstart config.
      overrides.put(GROUP_REPLICATION_FACTOR, 1);
    }
    return new BrokerSettings(dataDir, nodeId, host, port, seeds, overrides);
  }

  /** Fails when something already listens on {@code host:port} (0 is any free port: nothing to check). */
  private static void requireFree(String flag, String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // as the broker's own listeners do: a port in TIME_WAIT is free
      probe.bind(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + " " + port + ": " + host + ":" + port + " is already in use ("
          + e.getMessage() + "); stop what listens there or choose another " + flag);
    }
  }
}
