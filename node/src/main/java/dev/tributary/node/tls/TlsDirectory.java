package dev.tributary.node.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;
import org.apache.pekko.pki.pem.PEMLoadingException;

/**
 * A directory in the layout of a Kubernetes TLS secret and of cert-manager's output:
 * {@code ca.crt} (the CA that peers' certificates must chain to), {@code tls.crt} and
 * {@code tls.key} (this side's certificate and its private key, PEM).
 */
public record TlsDirectory(Path dir) {

  public Path caCertificate() {
    return dir.resolve("ca.crt");
  }

  public Path certificate() {
    return dir.resolve("tls.crt");
  }

  public Path key() {
    return dir.resolve("tls.key");
  }

  public List<Path> all() {
    return List.of(caCertificate(), certificate(), key());
  }

  /**
   * A TLS context that presents {@code tls.crt} and trusts only certificates issued by
   * {@code ca.crt}, read now (a rotated secret is read again by the next call).
   *
   * @throws IllegalArgumentException naming the file that is missing or unreadable and what to do
   */
  public SSLContext sslContext() {
    char[] none = new char[0];
    try {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      List<X509Certificate> chain = certificates(certificate());
      identity.setKeyEntry("tls", privateKey(), none, chain.toArray(Certificate[]::new));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity, none);

      KeyStore trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      int n = 0;
      for (X509Certificate ca : certificates(caCertificate())) {
        trusted.setCertificateEntry("ca-" + n++, ca);
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trusted);

      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("the TLS files in " + dir + " do not make a TLS context (" + e.getMessage()
          + "); make a development set with: tributary tls init DIR", e);
    }
  }

  /** The certificates of a PEM file, in order. */
  public static List<X509Certificate> certificates(Path file) {
    byte[] pem = read(file);
    try {
      Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(pem));
      if (all.isEmpty()) {
        throw new IllegalArgumentException(file + " holds no PEM certificate");
      }
      return all.stream().map(c -> (X509Certificate) c).toList();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " is not a PEM certificate: " + e.getMessage(), e);
    }
  }

  private PrivateKey privateKey() {
    try {
      return DERPrivateKeyLoader.load(PEMDecoder.decode(new String(read(key()), StandardCharsets.US_ASCII)));
    } catch (PEMLoadingException e) {
      throw new IllegalArgumentException(key() + " is not a PEM private key (PKCS#1 or PKCS#8): " + e.getMessage(), e);
    }
  }

  private static byte[] read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(file + " is missing: a TLS directory holds ca.crt, tls.crt and tls.key "
          + "(make a development set with: tributary tls init " + file.getParent() + ")");
    }
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file, e);
    }
  }
}
