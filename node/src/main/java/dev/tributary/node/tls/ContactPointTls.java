package dev.tributary.node.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.HttpsConnectionContext;

/**
 * The TLS that Cluster Bootstrap's probes of other brokers' management servers speak: the peer's
 * certificate must chain to {@code ca.crt}, but need not name the address probed. On Kubernetes
 * the contact points are pod IPs (use-raw-ip), which change with every pod and which no
 * certificate from cert-manager or {@code tls init} lists. What a probe learns is only where to
 * join; the join itself is Artery's, which authenticates both sides (mutual TLS, a shared subject
 * name), so a probe answered by a stranger with our CA's certificate cannot add it to the cluster.
 */
public final class ContactPointTls {

  private ContactPointTls() {}

  /** A client context that trusts what {@code context} trusts, without checking the host name. */
  public static HttpsConnectionContext client(SSLContext context) {
    return ConnectionContext.httpsClient((host, port) -> {
      SSLEngine engine = context.createSSLEngine(host, port);
      engine.setUseClientMode(true);
      SSLParameters parameters = engine.getSSLParameters();
      // No endpoint identification: the JDK then checks the chain, not the name.
      parameters.setEndpointIdentificationAlgorithm(null);
      engine.setSSLParameters(parameters);
      return engine;
    });
  }
}
