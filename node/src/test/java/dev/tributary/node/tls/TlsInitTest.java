package dev.tributary.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tributary.node.quorum.BrokerProcesses;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary tls init DIR}: a development CA and a certificate it issued, in a Kubernetes
 * TLS secret's layout, that TLS peers accept from each other and refuse from another CA.
 */
class TlsInitTest {

  @TempDir Path dir;

  @Test
  void initWritesACaAndACertificateItIssuedForLoopback() throws Exception {
    Path tls = dir.resolve("tls");
    BrokerProcesses.Result result = BrokerProcesses.cliInProcess("tls", "init", tls.toString(),
        "--name", "*.tributary-headless.streaming.svc");
    assertEquals(0, result.exit(), result.toString());
    TlsDirectory files = new TlsDirectory(tls);
    for (Path file : files.all()) {
      assertTrue(result.out().contains("Wrote " + file), result.out());
    }
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(files.key()));
    assertTrue(Files.readString(files.key(), StandardCharsets.US_ASCII).contains("PRIVATE KEY-----"));

    X509Certificate ca = TlsDirectory.certificates(files.caCertificate()).get(0);
    X509Certificate certificate = TlsDirectory.certificates(files.certificate()).get(0);
    ca.verify(ca.getPublicKey());
    certificate.verify(ca.getPublicKey()); // issued directly by the CA
    assertTrue(ca.getBasicConstraints() >= 0, "ca.crt is a CA");
    assertEquals(-1, certificate.getBasicConstraints(), "tls.crt is not a CA");
    Set<String> names = certificate.getSubjectAlternativeNames().stream()
        .map(name -> name.get(1).toString()).collect(Collectors.toSet());
    assertEquals(Set.of("127.0.0.1", "localhost", "*.tributary-headless.streaming.svc"), names);
    assertTrue(certificate.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")),
        "for servers and clients: " + certificate.getExtendedKeyUsage());
  }

  @Test
  void peersWithTheSameCaTalkAndAnotherCaIsRefused() throws Exception {
    TlsDirectory server = new TlsDirectory(dir.resolve("server"));
    TlsDirectory other = new TlsDirectory(dir.resolve("other"));
    DevelopmentCa.writeTo(server.dir(), List.of(), Duration.ofDays(1));
    DevelopmentCa.writeTo(other.dir(), List.of(), Duration.ofDays(1));
    HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    https.setHttpsConfigurator(new HttpsConfigurator(server.sslContext()));
    https.createContext("/", exchange -> {
      byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    https.start();
    try {
      URI uri = URI.create("https://127.0.0.1:" + https.getAddress().getPort() + "/");
      HttpClient trusting = HttpClient.newBuilder().sslContext(server.sslContext()).build();
      assertEquals("hello", trusting.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body());
      HttpClient stranger = HttpClient.newBuilder().sslContext(other.sslContext()).build();
      assertThrows(SSLHandshakeException.class,
          () -> stranger.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
    } finally {
      https.stop(0);
    }
  }

  @Test
  void existingCertificatesAreNeverOverwritten() throws Exception {
    Path tls = dir.resolve("tls");
    assertEquals(0, BrokerProcesses.cliInProcess("tls", "init", tls.toString()).exit());
    String before = Files.readString(tls.resolve("tls.crt"));
    BrokerProcesses.Result again = BrokerProcesses.cliInProcess("tls", "init", tls.toString());
    assertEquals(1, again.exit(), again.toString());
    assertTrue(again.err().contains("already exists: tls init never overwrites certificates"), again.err());
    assertEquals(before, Files.readString(tls.resolve("tls.crt")));
  }

  @Test
  void aMissingFileIsNamedWithWhatToDo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new TlsDirectory(dir.resolve("empty")).sslContext());
    assertTrue(e.getMessage().contains("tls.crt is missing") && e.getMessage().contains("tributary tls init"),
        e.getMessage());
  }
}
