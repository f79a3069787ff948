package dev.tributary.protocol;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/**
 * Artery over TLS with mutual authentication, from a directory in the layout of a Kubernetes TLS
 * secret and of cert-manager's output ({@code ca.crt}, {@code tls.crt}, {@code tls.key}), the
 * same for brokers and clients. Pekko's rotating-keys engine reads the files again after
 * {@code pekko.remote.artery.ssl.rotating-keys-engine.ssl-context-cache-ttl} (5 minutes), so a
 * rotated secret is picked up without a restart. It accepts a peer whose certificate its CA
 * issued and that shares a subject name with its own (one certificate for all, or a wildcard
 * such as {@code *.tributary-headless.<namespace>.svc}).
 */
public final class ArteryTls {

  /** The client's setting naming the directory; empty: plain TCP. */
  public static final String CLIENT_TLS_DIR = "tributary.client.tls-dir";

  private static final String ENGINE = "pekko.remote.artery.ssl.rotating-keys-engine.";

  private ArteryTls() {}

  /** The settings that switch Artery to TLS with the files of {@code dir}, over {@code config}. */
  public static Config over(Config config, Path dir) {
    Path absolute = dir.toAbsolutePath().normalize();
    return ConfigFactory.empty()
        .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue("pekko.remote.artery.ssl.ssl-engine-provider",
            ConfigValueFactory.fromAnyRef("org.apache.pekko.remote.artery.tcp.ssl.RotatingKeysSSLEngineProvider"))
        .withValue(ENGINE + "key-file", ConfigValueFactory.fromAnyRef(absolute.resolve("tls.key").toString()))
        .withValue(ENGINE + "cert-file", ConfigValueFactory.fromAnyRef(absolute.resolve("tls.crt").toString()))
        .withValue(ENGINE + "ca-cert-file", ConfigValueFactory.fromAnyRef(absolute.resolve("ca.crt").toString()))
        .withFallback(config);
  }

  /** {@link #over} when the client's config names a directory, else {@code config} as it is. */
  public static Config forClient(Config config) {
    String dir = config.hasPath(CLIENT_TLS_DIR) ? config.getString(CLIENT_TLS_DIR).trim() : "";
    return dir.isEmpty() ? config : over(config, Path.of(dir));
  }
}
