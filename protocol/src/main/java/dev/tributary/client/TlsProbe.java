package dev.tributary.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Whether a broker's port speaks TLS: a plain-text client that gets no answer asks, so that it
 * can say "this broker wants TLS" instead of timing out in silence (a TLS broker drops Artery's
 * plain handshake without a word). It starts a TLS handshake and watches for the server's
 * certificate; nothing is trusted or sent beyond the handshake, and a plain Artery port closes the
 * connection at the unexpected bytes.
 */
public final class TlsProbe {

  private TlsProbe() {}

  /** True when {@code host:port} answered a TLS ClientHello with a certificate within {@code timeout}. */
  public static boolean speaksTls(String host, int port, Duration timeout) {
    AtomicBoolean presentedCertificate = new AtomicBoolean();
    TrustManager watcher = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {
        presentedCertificate.set(true);
      }

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    int millis = (int) Math.max(1, timeout.toMillis());
    try (Socket plain = new Socket()) {
      plain.connect(new InetSocketAddress(host, port), millis);
      plain.setSoTimeout(millis);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {watcher}, null);
      try (SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true)) {
        tls.startHandshake();
      }
    } catch (IOException | GeneralSecurityException e) {
      // a refused handshake after the certificate (mutual authentication wants ours) still says TLS
    }
    return presentedCertificate.get();
  }
}
