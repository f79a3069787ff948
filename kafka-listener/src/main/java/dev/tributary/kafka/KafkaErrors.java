package dev.tributary.kafka;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Our error codes as Kafka's. They share Kafka's numbers where Kafka has the error (ErrorCode was
 * numbered after it); our own (10000 and up) have no Kafka twin and are answered as Kafka's
 * unknown server error, with our message where the response has room for one.
 */
final class KafkaErrors {

  /** Where our own codes, with no Kafka twin, begin. */
  private static final int FIRST_OWN_CODE = 10_000;

  private KafkaErrors() {}

  static Errors of(ErrorCode code) {
    return code.code() >= FIRST_OWN_CODE ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode((short) code.code());
  }

  /** What a failed stage means to a Kafka client: a timeout it retries, our coded error, or unknown. */
  static Errors of(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof TimeoutException) {
      return Errors.REQUEST_TIMED_OUT;
    }
    if (cause instanceof TributaryException t) {
      return of(t.code());
    }
    return Errors.UNKNOWN_SERVER_ERROR;
  }

  static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The failure's message, for responses that carry one. */
  static String message(Throwable failure) {
    Throwable cause = unwrap(failure);
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /** A failure Kafka answers by closing the connection, not with an error answer. */
  static final class CloseConnection extends RuntimeException {
    CloseConnection(String message) {
      super(message, null, false, false);
    }
  }
}
