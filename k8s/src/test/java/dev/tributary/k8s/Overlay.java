package dev.tributary.k8s;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The overlays under k8s/overlays, the broker count each promises, and whether it turns TLS on. */
enum Overlay {
  SINGLE("single", 1, false),
  CLUSTER("cluster", 3, false),
  CLUSTER_TLS("cluster-tls", 3, true);

  private static final Map<Overlay, Manifests> RENDERED = new ConcurrentHashMap<>();

  final String directory;
  final int brokers;
  final boolean tls;

  Overlay(String directory, int brokers, boolean tls) {
    this.directory = directory;
    this.brokers = brokers;
    this.tls = tls;
  }

  /** The k8s module's directory: surefire runs in it and says so in {@code basedir}. */
  static Path module() {
    Path dir = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    if (!Files.isDirectory(dir.resolve("overlays"))) {
      throw new IllegalStateException("no overlays/ in " + dir + ": run the tests from the k8s module");
    }
    return dir;
  }

  Path path() {
    return module().resolve("overlays").resolve(directory);
  }

  /** What {@code kubectl kustomize} renders for this overlay, rendered once per test run. */
  Manifests manifests() {
    return RENDERED.computeIfAbsent(this, o -> Manifests.parse(Kubectl.kustomize(o.path())));
  }

  /** The broker that runs in pod {@code ordinal} of this overlay's StatefulSet. */
  BrokerPod pod(int ordinal) {
    return BrokerPod.of(manifests(), ordinal);
  }

  @Override
  public String toString() {
    return "overlays/" + directory;
  }
}
