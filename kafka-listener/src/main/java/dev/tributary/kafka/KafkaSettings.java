package dev.tributary.kafka;

import com.typesafe.config.Config;

/**
 * The {@code tributary.kafka} settings, read once and validated.
 *
 * @param iface the address to bind; empty: the broker's host
 * @param advertisedHost what Metadata names as this broker's host; empty: see {@link #advertisedHost(String, String)}
 * @param advertisedPort what Metadata names as this broker's port; 0: the bound port
 */
public record KafkaSettings(int port, String iface, String advertisedHost, int advertisedPort, int maxRequestBytes,
    int maxInFlightPerConnection) {

  public KafkaSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tributary.kafka.port must be between 0 and 65535, got " + port);
    }
    if (advertisedPort < 0 || advertisedPort > 65535) {
      throw new IllegalArgumentException(
          "tributary.kafka.advertised-port must be between 0 (the bound port) and 65535, got " + advertisedPort);
    }
    if (maxRequestBytes < 1024) {
      throw new IllegalArgumentException("tributary.kafka.max-request-bytes must be at least 1 KiB, got " + maxRequestBytes);
    }
    if (maxInFlightPerConnection < 1) {
      throw new IllegalArgumentException("tributary.kafka.max-in-flight-per-connection must be at least 1, got "
          + maxInFlightPerConnection);
    }
  }

  public static KafkaSettings fromRoot(Config root) {
    Config c = root.getConfig("tributary.kafka");
    long maxRequest = c.getBytes("max-request-bytes");
    if (maxRequest > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tributary.kafka.max-request-bytes must be below 2 GiB, got " + maxRequest);
    }
    return new KafkaSettings(c.getInt("port"), c.getString("interface").trim(), c.getString("advertised-host").trim(),
        c.getInt("advertised-port"), (int) maxRequest, c.getInt("max-in-flight-per-connection"));
  }

  /** The interface to bind: the configured one, or the broker's host. */
  public String bindInterface(String brokerHost) {
    return iface.isEmpty() ? brokerHost : iface;
  }

  /**
   * The host clients are told to connect to: the configured one; else the bound interface, unless
   * that is a wildcard, which no client can connect to, and then the broker's host.
   */
  public String advertisedHost(String boundInterface, String brokerHost) {
    if (!advertisedHost.isEmpty()) {
      return advertisedHost;
    }
    return boundInterface.equals("0.0.0.0") || boundInterface.equals("::") ? brokerHost : boundInterface;
  }

  /** The advertised {@code host:port}, once the listener is bound to {@code boundPort}. */
  public String advertisedAddress(String brokerHost, int boundPort) {
    String host = advertisedHost(bindInterface(brokerHost), brokerHost);
    return host + ":" + (advertisedPort == 0 ? boundPort : advertisedPort);
  }
}
