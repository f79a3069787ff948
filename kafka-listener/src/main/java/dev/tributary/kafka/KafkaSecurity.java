package dev.tributary.kafka;

import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * How the Kafka listener secures its connections, from the broker's own settings: TLS with the
 * broker's certificate when {@code tributary.tls.dir} is set (server authentication only: clients
 * check the broker against the CA, the broker asks no client certificate), and SASL/PLAIN with the
 * admin token as the password when {@code tributary.admin.token} is set. Either, both or neither:
 * Kafka's PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL.
 */
public record KafkaSecurity(Optional<String> token, Optional<SSLContext> tls) {

  public static final KafkaSecurity NONE = new KafkaSecurity(Optional.empty(), Optional.empty());

  /** Kafka's {@code security.protocol} a client needs for this listener. */
  public String kafkaProtocol() {
    return (token.isPresent() ? "SASL_" : "") + (tls.isPresent() ? "SSL" : "PLAINTEXT");
  }
}
