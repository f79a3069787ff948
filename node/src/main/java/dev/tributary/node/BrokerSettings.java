package dev.tributary.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tributary.protocol.ArteryTls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How to start a broker: where its data lives and where it listens. Turned into the full Pekko
 * configuration by {@link #toConfig()}, over {@code application.conf} and the modules'
 * {@code reference.conf}.
 */
public record BrokerSettings(Path dataDir, int nodeId, String host, int port, List<String> seeds,
    Map<String, Object> overrides) {

  public BrokerSettings {
    seeds = List.copyOf(seeds);
    overrides = Map.copyOf(overrides);
  }

  public static BrokerSettings defaults() {
    return new BrokerSettings(Path.of("data"), 0, "127.0.0.1", 25520, List.of(), Map.of());
  }

  public BrokerSettings withDataDir(Path dir) {
    return new BrokerSettings(dir, nodeId, host, port, seeds, overrides);
  }

  public BrokerSettings withPort(int newPort) {
    return new BrokerSettings(dataDir, nodeId, host, newPort, seeds, overrides);
  }

  /** One more config path set, e.g. {@code tributary.journal.fsync}. */
  public BrokerSettings with(String path, Object value) {
    Map<String, Object> next = new HashMap<>(overrides);
    next.put(path, value);
    return new BrokerSettings(dataDir, nodeId, host, port, seeds, next);
  }

  /** The broker's TLS directory setting; empty: no TLS. */
  public static final String TLS_DIR = "tributary.tls.dir";

  public Config toConfig() {
    List<String> seedNodes = new ArrayList<>();
    for (String seed : seeds) {
      seedNodes.add("pekko://" + dev.tributary.protocol.Tributary.SYSTEM_NAME + "@" + seed);
    }
    List<String> roles = new ArrayList<>(ConfigFactory.load().getStringList("pekko.cluster.roles"));
    roles.add(BrokerIds.role(nodeId));
    Config config = ConfigFactory.empty()
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
        .withValue("tributary.journal.dir", ConfigValueFactory.fromAnyRef(dataDir.toAbsolutePath().toString()))
        .withValue("tributary.broker.node-id", ConfigValueFactory.fromAnyRef(nodeId))
        .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes));
    for (Map.Entry<String, Object> e : overrides.entrySet()) {
      config = config.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    Config merged = config.withFallback(ConfigFactory.load());
    // Management listens where the broker does, on tributary.management.port, and Cluster Bootstrap
    // uses tributary.cluster.discovery (set here, after the overrides: a substitution in
    // reference.conf would keep the default).
    Config derived = ConfigFactory.empty()
        .withValue("pekko.management.http.hostname", ConfigValueFactory.fromAnyRef(host))
        .withValue("pekko.management.http.port", ConfigValueFactory.fromAnyRef(merged.getInt("tributary.management.port")));
    String discovery = ClusterJoin.discovery(merged);
    if (!discovery.isEmpty()) {
      derived = derived.withValue(ClusterJoin.BOOTSTRAP_METHOD, ConfigValueFactory.fromAnyRef(discovery));
    }
    String tlsDir = merged.getString(TLS_DIR).trim();
    return tlsDir.isEmpty() ? derived.withFallback(merged) : ArteryTls.over(derived.withFallback(merged), Path.of(tlsDir));
  }
}
