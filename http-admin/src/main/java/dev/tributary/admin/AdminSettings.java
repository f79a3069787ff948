package dev.tributary.admin;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Optional;

/** The {@code tributary.admin} settings, read once and validated. */
public record AdminSettings(
    String iface, int port, Optional<String> token, Duration requestTimeout, long maxBodyBytes, int maxRecordsLimit) {

  public AdminSettings {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tributary.admin.port must be between 0 and 65535, got " + port);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("tributary.admin.max-body-bytes must be at least 1 KiB");
    }
    if (maxRecordsLimit < 1) {
      throw new IllegalArgumentException("tributary.admin.max-records-limit must be positive");
    }
  }

  public static AdminSettings fromRoot(Config root) {
    Config c = root.getConfig("tributary.admin");
    String token = c.getString("token").trim();
    return new AdminSettings(
        c.getString("interface"),
        c.getInt("port"),
        token.isEmpty() ? Optional.empty() : Optional.of(token),
        c.getDuration("request-timeout"),
        c.getBytes("max-body-bytes"),
        c.getInt("max-records-limit"));
  }

  /**
   * How long pekko-http lets a route run before it answers for it: above the longest a route
   * waits for the cluster (a topic change waits four request timeouts), so a route always answers
   * with its own problem first, and pekko-http's timeout answer is only a backstop.
   */
  public Duration routeTimeout() {
    return requestTimeout.multipliedBy(4).plusSeconds(10);
  }

  public AdminSettings withPort(int newPort) {
    return new AdminSettings(iface, newPort, token, requestTimeout, maxBodyBytes, maxRecordsLimit);
  }

  public AdminSettings withToken(String newToken) {
    return new AdminSettings(iface, port, Optional.ofNullable(newToken), requestTimeout, maxBodyBytes, maxRecordsLimit);
  }

  boolean isLoopback() {
    return iface.equals("127.0.0.1") || iface.equals("localhost") || iface.equals("::1");
  }
}
