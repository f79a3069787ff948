package dev.tributary.node.cli;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.FsyncPolicy;
import dev.tributary.node.Broker;
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
@Command(name = "start", mixinStandardHelpOptions = true,
    description = "Start a broker. Alone it forms a single-node cluster; with --seed it joins one.")
final class StartCommand implements Callable<Integer> {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--data-dir", defaultValue = "data", description = "Data directory (default: ./${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--node-id", defaultValue = "0", description = "This broker's id (default: ${DEFAULT-VALUE}).")
  int nodeId;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "25520", description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--seed", paramLabel = "HOST:PORT", description = "A broker of the cluster to join (repeatable).")
  List<String> seeds = new ArrayList<>();

  @Option(names = "--controller-voters", paramLabel = "ID@HOST:PORT,...",
      description = "The brokers whose Raft group commits the cluster's metadata, as Kafka's controller.quorum.voters "
          + "(the same list on every broker; default: this broker alone, unless --seed is given).")
  String controllerVoters;

  @Option(names = "--failover", paramLabel = "default|fast",
      description = "How soon a silent broker is fenced: default (9 s, Kafka's) or fast (about 2 s).")
  String failover;

  @Option(names = "--fsync", description = "always | interval | never (default: the journal's, always).")
  String fsync;

  @Option(names = "--admin-port", description = "Port of the HTTP admin API (default: 8080).")
  Integer adminPort;

  @Override
  public Integer call() {
    BrokerSettings settings = settings();
    Config config = settings.toConfig();
    // Probed before the actor system starts: a busy port is one line naming the flag, not an
    // Artery or HTTP bind failure logged with its stack trace.
    requireFree("--port", host, port);
    requireFree("--admin-port", config.getString("tributary.admin.interface"), config.getInt("tributary.admin.port"));
    Broker broker = Broker.start(settings);
    int boundAdminPort;
    try {
      ClientOptions.await(broker.ready(Duration.ofSeconds(60)));
      boundAdminPort = broker.adminPort();
    } catch (RuntimeException e) {
      broker.close();
      throw new IllegalStateException("the broker did not start: " + TributaryCli.describe(e));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Tributary broker " + nodeId + " is up on " + host + ":" + broker.port()
        + " (admin API on port " + boundAdminPort + "), data in " + dataDir.toAbsolutePath().normalize()
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

  /** The flags as broker settings, each checked with an error that names it. */
  private BrokerSettings settings() {
    requirePort("--port", port);
    for (String seed : seeds) {
      if (!seed.matches("[^:]+:\\d{1,5}")) {
        throw new IllegalArgumentException("--seed must be HOST:PORT, got '" + seed + "'");
      }
    }
    Map<String, Object> overrides = new HashMap<>();
    if (fsync != null) {
      try {
        overrides.put("tributary.journal.fsync", FsyncPolicy.parse(fsync).name().toLowerCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + e.getMessage());
      }
    }
    if (controllerVoters != null) {
      overrides.put("tributary.controller.voters",
          dev.tributary.node.controller.ControllerVoters.parse(controllerVoters).toString());
    }
    if (failover != null) {
      if (!failover.equals("default") && !failover.equals("fast")) {
        throw new IllegalArgumentException("--failover must be default or fast, got '" + failover + "'");
      }
      overrides.put("tributary.failover", failover);
    }
    if (adminPort != null) {
      requirePort("--admin-port", adminPort);
      overrides.put("tributary.admin.port", adminPort);
    }
    return new BrokerSettings(dataDir, nodeId, host, port, seeds, overrides);
  }

  private static void requirePort(String flag, int value) {
    if (value < 0 || value > 65535) {
      throw new IllegalArgumentException(flag + " must be between 0 and 65535, got " + value);
    }
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
