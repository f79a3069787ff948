package dev.tributary.kafka;

import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;

/**
 * One connection's SASL/PLAIN state, when the broker has a token: as Kafka's SASL listener, a
 * connection may send ApiVersions, then SaslHandshake (v1, mechanism PLAIN) and SaslAuthenticate,
 * whose password must be the token (the username is free: the token is the one credential). Any
 * other request before that closes the connection, and so does a failed authentication, right
 * after its answer. A SaslHandshake or SaslAuthenticate where no login is due (without a token, or
 * after the login: there is no re-authentication) is answered ILLEGAL_SASL_STATE and the
 * connection stays open, as Kafka's request handler answers them. Without a token every other
 * request passes. Not thread-safe: the listener consults it in request order, one at a time.
 */
final class SaslPlainGate {

  static final String PLAIN = "PLAIN";

  /** What the gate says about a request: pass it on, or answer it here (closing after, maybe). */
  record Verdict(ApiMessage answer, boolean closeAfter) {
    static final Verdict PASS = new Verdict(null, false);

    boolean passes() {
      return answer == null;
    }
  }

  /**
   * The largest frame a connection may send before its login, as Kafka's {@code
   * sasl.server.max.receive.size}: a login is a few hundred bytes, and a stranger must not make
   * the broker buffer {@code max-request-bytes} per connection.
   */
  static final int MAX_FRAME_BYTES_BEFORE_LOGIN = 512 * 1024;

  private final Optional<String> token;
  private boolean handshaken;
  private volatile boolean authenticated; // also read by the connection's frame decoder
  private boolean failed; // a refused login: frames already read behind it are refused too

  SaslPlainGate(Optional<String> token) {
    this.token = token;
  }

  /** The largest frame the connection may send next: {@code maxRequestBytes} once no login is due. */
  int maxFrameBytes(int maxRequestBytes) {
    return token.isEmpty() || authenticated ? maxRequestBytes : Math.min(maxRequestBytes, MAX_FRAME_BYTES_BEFORE_LOGIN);
  }

  /**
   * @throws IllegalSaslStateException for a request the connection may not send yet (or again),
   *     which closes it
   */
  Verdict check(KafkaRequest request) {
    if (failed) {
      throw new IllegalSaslStateException("the SASL login on this connection failed");
    }
    ApiKeys key = request.apiKey();
    if (key == ApiKeys.SASL_HANDSHAKE) {
      return handshake((SaslHandshakeRequest) request.body(), request.version());
    }
    if (key == ApiKeys.SASL_AUTHENTICATE) {
      return authenticate((SaslAuthenticateRequest) request.body());
    }
    if (token.isEmpty() || authenticated || key == ApiKeys.API_VERSIONS) {
      return Verdict.PASS;
    }
    throw new IllegalSaslStateException(key.name + " before SASL authentication: this listener requires"
        + " SASL/PLAIN with the broker's token as the password");
  }

  private Verdict handshake(SaslHandshakeRequest request, short version) {
    if (token.isEmpty() || authenticated) {
      // Kafka's answer carries no message field: the mechanisms list says nothing is on offer.
      return new Verdict(new SaslHandshakeResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
          .setMechanisms(List.of()), false);
    }
    if (version < 1) {
      // v0 sends the SASL tokens raw, without SaslAuthenticate: clients from before Kafka 1.0.
      throw new IllegalSaslStateException("SaslHandshake v0 is not supported: use a Kafka 1.0 or newer client");
    }
    boolean plain = PLAIN.equals(request.data().mechanism());
    handshaken = plain;
    failed = !plain;
    return new Verdict(new SaslHandshakeResponseData()
        .setErrorCode(plain ? Errors.NONE.code() : Errors.UNSUPPORTED_SASL_MECHANISM.code())
        .setMechanisms(List.of(PLAIN)), !plain);
  }

  private Verdict authenticate(SaslAuthenticateRequest request) {
    if (token.isEmpty() || authenticated) {
      return new Verdict(new SaslAuthenticateResponseData().setErrorCode(Errors.ILLEGAL_SASL_STATE.code())
          .setErrorMessage(token.isEmpty() ? "this listener has no SASL: the broker has no token"
              : "this connection is already authenticated, and re-authentication is not supported")
          .setAuthBytes(new byte[0]), false);
    }
    if (!handshaken) {
      throw new IllegalSaslStateException("SaslAuthenticate without a SASL/PLAIN handshake in progress");
    }
    Optional<String> problem = plainProblem(request.data().authBytes(), token.get());
    if (problem.isPresent()) {
      failed = true;
      return new Verdict(new SaslAuthenticateResponseData().setErrorCode(Errors.SASL_AUTHENTICATION_FAILED.code())
          .setErrorMessage(problem.get()).setAuthBytes(new byte[0]), true);
    }
    authenticated = true;
    return new Verdict(new SaslAuthenticateResponseData().setErrorCode(Errors.NONE.code())
        .setAuthBytes(new byte[0]), false);
  }

  /**
   * What is wrong with a PLAIN message ({@code authzid NUL authcid NUL password}, RFC 4616) for this
   * token, or empty when its password is the token.
   */
  static Optional<String> plainProblem(byte[] message, String token) {
    String[] parts = new String(message, StandardCharsets.UTF_8).split("\u0000", -1);
    if (parts.length != 3 || parts[1].isEmpty()) {
      return Optional.of("Authentication failed: a SASL/PLAIN message is authzid, NUL, username, NUL, password");
    }
    if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
      return Optional.of("Authentication failed: authorization as another identity is not supported");
    }
    boolean matches = MessageDigest.isEqual(parts[2].getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
    return matches ? Optional.empty()
        : Optional.of("Authentication failed: invalid credentials: the password must be the broker's token"
            + " (tributary.admin.token)");
  }
}
