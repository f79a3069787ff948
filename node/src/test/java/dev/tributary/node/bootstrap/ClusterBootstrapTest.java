package dev.tributary.node.bootstrap;

import dev.tributary.node.RunsAlone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.node.quorum.BrokerProcesses;
import dev.tributary.node.tls.DevelopmentCa;
import dev.tributary.node.tls.TlsDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brokers that find each other through Pekko Cluster Bootstrap, with no seed list: three from
 * config discovery in this JVM (over TLS), and one in a child JVM (it needs the Kubernetes environment
 * variables) from Kubernetes API discovery against a recorded pod list, served over HTTPS the way
 * the API server serves it.
 */
@RunsAlone
class ClusterBootstrapTest {

  @TempDir Path dir;

  @Test
  void threeBrokersFormOneClusterFromConfigDiscoveryOverTls() {
    // Over TLS: the brokers' Artery links and bootstrap's probes of each other's HTTPS management.
    Path tls = dir.resolve("tls");
    DevelopmentCa.writeTo(tls, List.of(), Duration.ofDays(1));
    int[] management = {TestBroker.freePort(), TestBroker.freePort(), TestBroker.freePort()};
    String voters = "0@127.0.0.1:" + TestBroker.freePort() + ",1@127.0.0.1:" + TestBroker.freePort()
        + ",2@127.0.0.1:" + TestBroker.freePort();
    List<Map<String, Object>> endpoints = new ArrayList<>();
    for (int port : management) {
      endpoints.add(Map.of("host", "127.0.0.1", "port", port));
    }
    List<BrokerSettings> settings = new ArrayList<>();
    for (int id = 0; id < 3; id++) {
      settings.add(new BrokerSettings(dir.resolve("broker-" + id), id, "127.0.0.1", 0, List.of(), Map.of(
          "tributary.cluster.discovery", "config",
          "pekko.discovery.config.services.tributary.endpoints", endpoints,
          "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr", 3,
          "pekko.management.cluster.bootstrap.contact-point-discovery.stable-margin", "1s",
          "tributary.management.port", management[id],
          "tributary.controller.voters", voters,
          "tributary.tls.dir", tls.toString(),
          "tributary.failover", "fast")));
    }
    List<TestBroker> brokers = TestBroker.startTogether(settings);
    try {
      for (TestBroker b : brokers) {
        Set<String> up = new java.util.HashSet<>();
        Cluster.get(b.broker().system()).state().getMembers().forEach(m -> {
          if (m.status() == MemberStatus.up()) {
            up.add(m.address().toString());
          }
        });
        assertEquals(3, up.size(), "broker sees all three Up in its cluster: " + up);
      }
      // Three copies need all three brokers registered with one controller: one cluster, not three.
      BrokerProcesses.Result created = BrokerProcesses.cliInProcess("topic", "create", "bootstrapped", "-p", "3",
          "-r", "3", "-b", brokers.get(2).bootstrap(), "--tls-dir", tls.toString());
      assertEquals(0, created.exit(), created.toString());
      String described = BrokerProcesses.cliInProcess("topic", "describe", "bootstrapped",
          "-b", brokers.get(0).bootstrap(), "--tls-dir", tls.toString()).out();
      assertTrue(described.contains("Replicas: 0,1,2") || described.matches("(?s).*Replicas: [012],[012],[012].*"),
          described);
    } finally {
      brokers.forEach(TestBroker::close);
    }
  }

  @Test
  void aStatefulSetPodFindsItsClusterThroughTheKubernetesApi() throws Exception {
    // The API server presents a certificate its CA issued; the pod trusts that CA (ca.crt).
    TlsDirectory apiServer = new TlsDirectory(dir.resolve("api-server"));
    DevelopmentCa.writeTo(apiServer.dir(), List.of(), Duration.ofDays(1));
    Path serviceAccount = Files.createDirectories(dir.resolve("serviceaccount"));
    Files.copy(apiServer.caCertificate(), serviceAccount.resolve("ca.crt"));
    Files.writeString(serviceAccount.resolve("token"), "test-token-4711");
    Files.writeString(serviceAccount.resolve("namespace"), "streaming");
    int managementPort = TestBroker.freePort();
    String pods;
    try (InputStream recorded = getClass().getResourceAsStream("/kubernetes/statefulset-pods.json")) {
      pods = new String(recorded.readAllBytes(), StandardCharsets.UTF_8)
          .replace("${POD_IP}", "127.0.0.1").replace("${MANAGEMENT_PORT}", Integer.toString(managementPort));
    }
    List<String> requests = new CopyOnWriteArrayList<>();
    HttpsServer api = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.setHttpsConfigurator(new HttpsConfigurator(apiServer.sslContext()));
    api.createContext("/", exchange -> {
      String target = exchange.getRequestURI().getPath() + "?"
          + URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      requests.add(target + " " + authorization);
      boolean known = target.equals("/api/v1/namespaces/streaming/pods?labelSelector=app.kubernetes.io/name=tributary");
      byte[] body = known ? pods.getBytes(StandardCharsets.UTF_8)
          : "{\"kind\":\"Status\",\"status\":\"Failure\",\"code\":404}".getBytes(StandardCharsets.UTF_8);
      int status = !"Bearer test-token-4711".equals(authorization) ? 401 : known ? 200 : 404;
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
    try (BrokerProcesses broker = BrokerProcesses.builder(dir.resolve("pod")).brokers(1).controllerQuorum(true)
        .environment("KUBERNETES_SERVICE_HOST", "127.0.0.1")
        .environment("KUBERNETES_SERVICE_PORT", Integer.toString(api.getAddress().getPort()))
        .jvmOptions("-Xmx256m", "-XX:+UseSerialGC",
            "-Dpekko.discovery.kubernetes-api.api-ca-path=" + serviceAccount.resolve("ca.crt"),
            "-Dpekko.discovery.kubernetes-api.api-token-path=" + serviceAccount.resolve("token"),
            "-Dpekko.discovery.kubernetes-api.pod-namespace-path=" + serviceAccount.resolve("namespace"),
            // k8s/overlays/single: one broker.
            "-Dpekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr=1",
            "-Dpekko.management.cluster.bootstrap.contact-point-discovery.stable-margin=1s")
        .extraArgs("--discovery", "kubernetes-api", "--management-port", Integer.toString(managementPort))
        .build()) {
      broker.startAll(); // "is up": Up in a cluster, registered with the controller
      assertTrue(requests.stream().anyMatch(r -> r.equals(
              "/api/v1/namespaces/streaming/pods?labelSelector=app.kubernetes.io/name=tributary Bearer test-token-4711")),
          "the broker asked the API server for the StatefulSet's pods with its token: " + requests);
      String started = Files.readString(broker.log(0));
      assertTrue(started.contains("is up on"), started);
      broker.cliOk("topic", "create", "from-a-pod", "--partitions", "1", "-b", broker.bootstrap(0));
      assertTrue(broker.cliOk("topic", "list", "-b", broker.bootstrap(0)).lines()
          .collect(Collectors.toList()).contains("from-a-pod"));
    } finally {
      api.stop(0);
    }
  }
}
