package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.errors.IllegalSaslStateException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.junit.jupiter.api.Test;

/** One connection's SASL/PLAIN login, request by request, as Kafka's SASL listener runs it. */
class SaslPlainGateTest {

  private static final String TOKEN = "s3cret";

  private static KafkaRequest request(AbstractRequest body) {
    return new KafkaRequest(new RequestHeader(body.apiKey(), body.version(), "test", 1), body);
  }

  private static KafkaRequest apiVersions() {
    return request(new ApiVersionsRequest.Builder(new ApiVersionsRequestData(), (short) 3, (short) 3).build((short) 3));
  }

  private static KafkaRequest metadata() {
    return request(new MetadataRequest.Builder(new MetadataRequestData().setTopics(null)).build((short) 12));
  }

  private static KafkaRequest handshake(String mechanism) {
    return request(new SaslHandshakeRequest.Builder(new SaslHandshakeRequestData().setMechanism(mechanism))
        .build((short) 1));
  }

  private static KafkaRequest authenticate(String plain) {
    return request(new SaslAuthenticateRequest.Builder(new SaslAuthenticateRequestData()
        .setAuthBytes(plain.getBytes(StandardCharsets.UTF_8))).build((short) 2));
  }

  @Test
  void aLoginWithTheTokenOpensTheConnection() {
    SaslPlainGate gate = new SaslPlainGate(Optional.of(TOKEN));
    assertTrue(gate.check(apiVersions()).passes(), "ApiVersions comes first, before the login");
    SaslPlainGate.Verdict shake = gate.check(handshake("PLAIN"));
    assertEquals(Errors.NONE.code(), ((SaslHandshakeResponseData) shake.answer()).errorCode());
    assertEquals(List.of("PLAIN"), ((SaslHandshakeResponseData) shake.answer()).mechanisms());
    assertFalse(shake.closeAfter());
    SaslPlainGate.Verdict login = gate.check(authenticate("\u0000anyone\u0000" + TOKEN));
    assertEquals(Errors.NONE.code(), ((SaslAuthenticateResponseData) login.answer()).errorCode());
    assertFalse(login.closeAfter());
    assertTrue(gate.check(metadata()).passes());
    // No re-authentication: told so, and the connection stays open.
    SaslPlainGate.Verdict again = gate.check(handshake("PLAIN"));
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), ((SaslHandshakeResponseData) again.answer()).errorCode());
    assertFalse(again.closeAfter());
    SaslPlainGate.Verdict relogin = gate.check(authenticate("\u0000anyone\u0000" + TOKEN));
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), ((SaslAuthenticateResponseData) relogin.answer()).errorCode());
    assertTrue(((SaslAuthenticateResponseData) relogin.answer()).errorMessage().contains("already authenticated"));
    assertFalse(relogin.closeAfter());
    assertTrue(gate.check(metadata()).passes(), "still open for requests after both");
  }

  @Test
  void aWrongPasswordIsAnsweredThenTheConnectionCloses() {
    SaslPlainGate gate = new SaslPlainGate(Optional.of(TOKEN));
    gate.check(handshake("PLAIN"));
    SaslPlainGate.Verdict login = gate.check(authenticate("\u0000admin\u0000guess"));
    SaslAuthenticateResponseData answer = (SaslAuthenticateResponseData) login.answer();
    assertEquals(Errors.SASL_AUTHENTICATION_FAILED.code(), answer.errorCode());
    assertTrue(answer.errorMessage().contains("the password must be the broker's token"), answer.errorMessage());
    assertTrue(login.closeAfter());
    assertThrows(IllegalSaslStateException.class, () -> gate.check(authenticate("\u0000admin\u0000" + TOKEN)),
        "a guess already read behind the failed one is refused too");
  }

  @Test
  void requestsBeforeTheLoginCloseTheConnection() {
    SaslPlainGate gate = new SaslPlainGate(Optional.of(TOKEN));
    IllegalSaslStateException early = assertThrows(IllegalSaslStateException.class, () -> gate.check(metadata()));
    assertTrue(early.getMessage().contains("requires SASL/PLAIN"), early.getMessage());
    assertThrows(IllegalSaslStateException.class, () -> new SaslPlainGate(Optional.of(TOKEN))
        .check(authenticate("\u0000a\u0000" + TOKEN)));
  }

  @Test
  void anotherMechanismIsRefusedWithTheOneOffered() {
    SaslPlainGate.Verdict shake = new SaslPlainGate(Optional.of(TOKEN)).check(handshake("SCRAM-SHA-512"));
    assertEquals(Errors.UNSUPPORTED_SASL_MECHANISM.code(), ((SaslHandshakeResponseData) shake.answer()).errorCode());
    assertEquals(List.of("PLAIN"), ((SaslHandshakeResponseData) shake.answer()).mechanisms());
    assertTrue(shake.closeAfter());
  }

  @Test
  void withoutATokenEverythingPassesAndASaslRequestIsInTheWrongState() {
    SaslPlainGate gate = new SaslPlainGate(Optional.empty());
    assertTrue(gate.check(metadata()).passes());
    SaslPlainGate.Verdict shake = gate.check(handshake("PLAIN"));
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), ((SaslHandshakeResponseData) shake.answer()).errorCode());
    assertEquals(List.of(), ((SaslHandshakeResponseData) shake.answer()).mechanisms());
    assertFalse(shake.closeAfter(), "as Kafka's PLAINTEXT listener: answered, and the connection stays open");
    SaslPlainGate.Verdict login = gate.check(authenticate("\u0000a\u0000b"));
    assertEquals(Errors.ILLEGAL_SASL_STATE.code(), ((SaslAuthenticateResponseData) login.answer()).errorCode());
    assertFalse(login.closeAfter());
    assertTrue(gate.check(metadata()).passes());
  }

  @Test
  void plainMessagesAreReadAsRfc4616Says() {
    assertEquals(Optional.empty(), SaslPlainGate.plainProblem(bytes("\u0000u\u0000" + TOKEN), TOKEN));
    assertEquals(Optional.empty(), SaslPlainGate.plainProblem(bytes("u\u0000u\u0000" + TOKEN), TOKEN));
    assertTrue(SaslPlainGate.plainProblem(bytes("other\u0000u\u0000" + TOKEN), TOKEN).orElseThrow()
        .contains("another identity"));
    assertTrue(SaslPlainGate.plainProblem(bytes("\u0000\u0000" + TOKEN), TOKEN).isPresent(), "no username");
    assertTrue(SaslPlainGate.plainProblem(bytes(TOKEN), TOKEN).isPresent(), "no separators");
    assertTrue(SaslPlainGate.plainProblem(bytes("\u0000u\u0000" + TOKEN + "x"), TOKEN).isPresent());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
