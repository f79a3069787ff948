package dev.tributary.node.cli;

import dev.tributary.node.Broker;
import dev.tributary.node.BrokerSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tributary start}: a broker in the foreground until SIGTERM or Ctrl-C. */
@Command(name = "start", mixinStandardHelpOptions = true,
    description = "Start a broker. Alone it forms a single-node cluster; with --seed it joins one.")
final class StartCommand implements Callable<Integer> {

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

  @Option(names = "--fsync", description = "always | interval | never (default: the journal's, always).")
  String fsync;

  @Option(names = "--admin-port", description = "Port of the HTTP admin API (default: 8080).")
  Integer adminPort;

  @Override
  public Integer call() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
    }
    for (String seed : seeds) {
      if (!seed.matches("[^:]+:\\d{1,5}")) {
        throw new IllegalArgumentException("--seed must be HOST:PORT, got '" + seed + "'");
      }
    }
    Map<String, Object> overrides = new HashMap<>();
    if (fsync != null) {
      overrides.put("tributary.journal.fsync", fsync);
    }
    if (adminPort != null) {
      if (adminPort < 0 || adminPort > 65535) {
        throw new IllegalArgumentException("--admin-port must be between 0 and 65535, got " + adminPort);
      }
      overrides.put("tributary.admin.port", adminPort);
    }
    Broker broker = Broker.start(new BrokerSettings(dataDir, nodeId, host, port, seeds, overrides));
    try {
      ClientOptions.await(broker.ready(java.time.Duration.ofSeconds(60)));
    } catch (RuntimeException e) {
      broker.close();
      throw new IllegalStateException("the broker did not start: " + TributaryCli.describe(e)
          + " (is port " + port + " already in use?)");
    }
    System.out.println("Tributary broker " + nodeId + " is up on " + host + ":" + broker.port()
        + " (admin API on port " + broker.adminPort() + "), data in " + dataDir.toAbsolutePath().normalize()
        + ". Stop it with Ctrl-C.");
    System.out.flush();
    // Pekko's JVM shutdown hook runs coordinated shutdown on SIGTERM and Ctrl-C: the broker leaves
    // its cluster and the journal closes cleanly before the process exits.
    broker.whenTerminated().toCompletableFuture().join();
    return 0;
  }
}
