package dev.tributary.node.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A development certificate authority and one certificate it issues, for brokers and clients
 * alike (server and client authentication), valid for 127.0.0.1 and localhost plus any names
 * given. Written as a Kubernetes TLS secret and cert-manager lay them out: {@code ca.crt},
 * {@code tls.crt} and {@code tls.key}, PEM, RSA keys, the certificate issued directly by the CA
 * (what Pekko's rotating-keys TLS engine reads). The CA's own key is not kept: another set is
 * another {@code tls init}. Not for production, where cert-manager or a real CA issues them.
 */
public final class DevelopmentCa {

  /** The names every development certificate is valid for. */
  public static final List<String> LOOPBACK_NAMES = List.of("127.0.0.1", "localhost");

  private static final SecureRandom RANDOM = new SecureRandom();

  private DevelopmentCa() {}

  /**
   * Writes {@code ca.crt}, {@code tls.crt} and {@code tls.key} (owner-only) into {@code dir},
   * creating it.
   *
   * @param names more DNS names or IP addresses for the certificate (wildcards allowed)
   * @throws IllegalStateException when {@code dir} already holds one of the files: nothing is
   *     overwritten
   */
  public static List<Path> writeTo(Path dir, List<String> names, Duration validity) {
    return writeTo(dir, names, validity, true);
  }

  /** As {@link #writeTo(Path, List, Duration)}, and without the loopback names unless {@code loopback}. */
  static List<Path> writeTo(Path dir, List<String> names, Duration validity, boolean loopback) {
    TlsDirectory files = new TlsDirectory(dir);
    for (Path file : files.all()) {
      if (Files.exists(file)) {
        throw new IllegalStateException(file + " already exists: tls init never overwrites certificates; remove "
            + "the directory's ca.crt, tls.crt and tls.key or choose another directory");
      }
    }
    try {
      Instant now = Instant.now();
      KeyPair caKeys = rsaKeys();
      X500Name caName = new X500Name("CN=Tributary development CA " + now.getEpochSecond());
      X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), notBefore(now),
          Date.from(now.plus(validity)), caName, caKeys.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      ca.addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCertificate = sign(ca, caKeys);

      KeyPair keys = rsaKeys();
      X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caName, serial(), notBefore(now),
          Date.from(now.plus(validity)), new X500Name("CN=tributary"), keys.getPublic());
      leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      leaf.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      leaf.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames(names, loopback));
      leaf.addExtension(Extension.authorityKeyIdentifier, false, extensions.createAuthorityKeyIdentifier(caCertificate));
      X509Certificate certificate = sign(leaf, caKeys);

      Files.createDirectories(dir);
      Files.writeString(files.caCertificate(), pem(caCertificate), StandardCharsets.US_ASCII);
      Files.writeString(files.certificate(), pem(certificate), StandardCharsets.US_ASCII);
      writeOwnerOnly(files.key(), pem(keys.getPrivate()));
      return files.all();
    } catch (IOException e) {
      throw new UncheckedIOException("writing certificates to " + dir, e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("making development certificates", e);
    }
  }

  private static GeneralNames subjectAlternativeNames(List<String> more, boolean loopback) {
    Set<String> all = new LinkedHashSet<>(loopback ? LOOPBACK_NAMES : List.of());
    all.addAll(more);
    List<GeneralName> names = new ArrayList<>();
    for (String name : all) {
      names.add(isIpAddress(name) ? new GeneralName(GeneralName.iPAddress, name) : new GeneralName(GeneralName.dNSName, name));
    }
    return new GeneralNames(names.toArray(GeneralName[]::new));
  }

  /** An IPv4 or IPv6 literal: parsed without a DNS lookup. */
  static boolean isIpAddress(String name) {
    if (!name.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false;
    }
    try {
      InetAddress.getByName(name); // a literal: no lookup happens
      return true;
    } catch (IOException notAnAddress) {
      return false;
    }
  }

  private static KeyPair rsaKeys() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(64, RANDOM).add(BigInteger.ONE);
  }

  /** A little in the past, so a clock slightly behind the one that made it still accepts it. */
  private static Date notBefore(Instant now) {
    return Date.from(now.minus(Duration.ofHours(1)));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuer.getPrivate())));
  }

  private static String pem(Object object) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    }
    return out.toString();
  }

  private static void writeOwnerOnly(Path file, String content) throws IOException {
    Files.createFile(file);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // a file system without POSIX permissions: the directory's own access rules apply
    }
    Files.writeString(file, content, StandardCharsets.US_ASCII);
  }
}
