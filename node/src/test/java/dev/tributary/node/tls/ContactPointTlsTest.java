package dev.tributary.node.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster Bootstrap's probes over HTTPS reach a management server whose certificate does not name
 * the address probed (a pod IP), as long as our CA issued it; a certificate from another CA is
 * still refused. The server here is on 127.0.0.1 with a certificate for a pod's DNS name only.
 */
class ContactPointTlsTest {

  @TempDir Path dir;
  private ActorSystem system;
  private ServerBinding server;
  private SSLContext ours;

  @BeforeEach
  void serveHttpsWithACertificateForAnotherName() throws Exception {
    DevelopmentCa.writeTo(dir.resolve("ours"), List.of("tributary-0.tributary-headless"), Duration.ofDays(1), false);
    DevelopmentCa.writeTo(dir.resolve("stranger"), List.of("tributary-0.tributary-headless"), Duration.ofDays(1), false);
    ours = new TlsDirectory(dir.resolve("ours")).sslContext();
    system = ActorSystem.create("contact-point-tls", // local: the default remote port may be taken
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    server = Http.get(system).newServerAt("127.0.0.1", 0)
        .enableHttps(ConnectionContext.httpsServer(ours))
        .bindSync(request -> HttpResponse.create().withEntity("ok"))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    system.terminate();
  }

  @Test
  void aProbeTrustsOurCaWhateverAddressItProbes() throws Exception {
    assertEquals(200, get(ContactPointTls.client(ours)).status().intValue());
  }

  @Test
  void aClientThatChecksTheHostNameRefusesTheSameServer() {
    // What Pekko HTTP's own client context does: without ContactPointTls, bootstrap would fail here.
    assertThrows(ExecutionException.class, () -> get(ConnectionContext.httpsClient(ours)));
  }

  @Test
  void aProbeRefusesACertificateFromAnotherCa() {
    SSLContext stranger = new TlsDirectory(dir.resolve("stranger")).sslContext();
    assertThrows(ExecutionException.class, () -> get(ContactPointTls.client(stranger)));
  }

  private HttpResponse get(HttpsConnectionContext client) throws Exception {
    String url = "https://127.0.0.1:" + server.localAddress().getPort() + "/alive";
    HttpResponse response = Http.get(system).singleRequest(HttpRequest.GET(url), client)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    response.discardEntityBytes(system);
    return response;
  }
}
