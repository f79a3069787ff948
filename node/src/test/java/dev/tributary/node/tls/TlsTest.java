package dev.tributary.node.tls;

import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.node.quorum.BrokerProcesses;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker started with a TLS directory: clients with a certificate from its CA talk to it over
 * TLS; a plain-text client is told the broker wants TLS, and one whose certificate another CA
 * issued is refused; the admin API and Management answer HTTPS with the {@code tls init} CA; and a
 * certificate rotated in the directory is picked up without a restart.
 */
class TlsTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void brokersAndClientsTalkTlsAndRefuseWhatTheirCaDidNotIssue() throws Exception {
    Path brokerTls = dir.resolve("broker-tls");
    DevelopmentCa.writeTo(brokerTls, List.of(), Duration.ofDays(1));
    Path clientTls = Files.createDirectories(dir.resolve("client-tls"));
    for (Path file : new TlsDirectory(brokerTls).all()) {
      Files.copy(file, clientTls.resolve(file.getFileName()));
    }
    Path strangerTls = dir.resolve("stranger-tls");
    DevelopmentCa.writeTo(strangerTls, List.of(), Duration.ofDays(1));

    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir.resolve("data")).withPort(0)
        .with("tributary.tls.dir", brokerTls.toString())
        // the rotating-keys engine reads the files again this often (5 minutes by default)
        .with("pekko.remote.artery.ssl.rotating-keys-engine.ssl-context-cache-ttl", "1s");
    try (TestBroker broker = TestBroker.start(settings)) {
      String b = broker.bootstrap();
      BrokerProcesses.Result created = BrokerProcesses.cliInProcess(
          "topic", "create", "secret", "-p", "1", "-b", b, "--tls-dir", clientTls.toString());
      assertEquals(0, created.exit(), created.toString());
      assertTrue(BrokerProcesses.cliInProcess("topic", "list", "-b", b, "--tls-dir", clientTls.toString()).out()
          .lines().toList().contains("secret"));

      BrokerProcesses.Result plain = BrokerProcesses.cliInProcess("topic", "list", "-b", b);
      assertEquals(1, plain.exit(), plain.toString());
      assertTrue(plain.err().contains("the broker at " + b + " wants TLS: give --tls-dir DIR"), plain.err());

      BrokerProcesses.Result stranger = BrokerProcesses.cliInProcess(
          "topic", "list", "-b", b, "--tls-dir", strangerTls.toString());
      assertEquals(1, stranger.exit(), stranger.toString());
      assertTrue(!stranger.out().contains("secret"), stranger.toString());

      HttpClient https = HttpClient.newBuilder().sslContext(new TlsDirectory(clientTls).sslContext()).build();
      HttpResponse<String> topics = https.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + broker.broker().adminPort() + "/v1/topics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, topics.statusCode(), topics.body());
      assertTrue(topics.body().contains("\"secret\""), topics.body());
      HttpResponse<String> alive = https.send(HttpRequest.newBuilder(
          URI.create("https://127.0.0.1:" + broker.broker().managementPort() + "/alive")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, alive.statusCode(), alive.body());
      assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + broker.broker().adminPort() + "/v1/topics")).build(),
          HttpResponse.BodyHandlers.ofString()), "plain HTTP gets no answer from the HTTPS admin API");

      // Rotation: the broker's directory gets the stranger's set (a new CA, as a re-issued secret
      // would bring). Once the engine reads it, the old set is refused and the new one accepted.
      for (Path file : new TlsDirectory(strangerTls).all()) {
        Files.copy(file, brokerTls.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      eventually(LIMIT, () -> {
        BrokerProcesses.Result rotated = BrokerProcesses.cliInProcess(
            "topic", "list", "-b", b, "--tls-dir", strangerTls.toString());
        assertEquals(0, rotated.exit(), rotated.toString());
        assertTrue(rotated.out().lines().toList().contains("secret"), rotated.toString());
      });
      BrokerProcesses.Result old = BrokerProcesses.cliInProcess(
          "topic", "list", "-b", b, "--tls-dir", clientTls.toString());
      assertEquals(1, old.exit(), "the replaced certificate is refused now: " + old);
    }
  }
}
