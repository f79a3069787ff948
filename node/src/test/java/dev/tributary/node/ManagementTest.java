package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pekko Management on a real broker, over real HTTP: {@code /alive} and {@code /ready} for
 * Kubernetes' probes, with the broker's own readiness check, and the admin API's health routes
 * giving the same answer.
 */
class ManagementTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  @Test
  void aStartedBrokerIsAliveAndReadyOnItsManagementPortAndTheAdminApiAgrees() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      int management = broker.broker().managementPort();
      assertEquals(200, get(management, "/alive").statusCode());
      HttpResponse<String> ready = awaitStatus(management, "/ready", 200);
      assertTrue(ready.body().contains("OK"), ready.body());
      assertEquals(200, get(broker.broker().adminPort(), "/health/ready").statusCode());
    }
  }

  @Test
  void aBrokerThatCannotJoinItsClusterIsAliveButNotReadyAndSaysWhy() throws Exception {
    // Its only seed is a port where nothing listens: it never becomes an Up member.
    BrokerSettings settings = new BrokerSettings(dir, 1, "127.0.0.1", 0, List.of("127.0.0.1:1"), Map.of());
    Broker broker = Broker.start(settings);
    try {
      int management = broker.managementPort();
      assertEquals(200, get(management, "/alive").statusCode(), "the process answers");
      HttpResponse<String> ready = get(management, "/ready");
      assertEquals(500, ready.statusCode(), ready.body());
      assertTrue(ready.body().contains("not an Up member of the cluster yet"), ready.body());
      HttpResponse<String> admin = get(broker.adminPort(), "/health/ready");
      assertEquals(503, admin.statusCode(), admin.body());
      assertTrue(admin.body().contains("not an Up member of the cluster yet"), admin.body());
    } finally {
      broker.close();
    }
  }

  private static HttpResponse<String> awaitStatus(int port, String path, int status) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> r = get(port, path);
    while (r.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(100);
      r = get(port, path);
    }
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    return r;
  }

  private static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
