package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;

/**
 * A record the cluster did not acknowledge, although it may have reached its partition: no answer
 * came in time (the broker drops a produce that reaches its partition after its deadline, but one
 * that got there in time may be stored while its answer is lost or late), or the write failed in
 * a way that may have left it on disk. It may or may not have been stored. Sending it again with a
 * new producer may store it twice; the same idempotent producer's own retries never do.
 *
 * <p>Every other {@link TributaryException} from a send means the record was not stored.
 */
public final class NotAcknowledgedException extends TributaryException {

  static final String MAY_OR_MAY_NOT =
      "it may or may not have been stored: read the partition to check before sending it again";

  public NotAcknowledgedException(ErrorCode code, String detail) {
    super(code, detail + "; " + MAY_OR_MAY_NOT);
  }

  /** Whether {@code error} (or what it wraps) says a record may or may not have been stored. */
  public static boolean mayHaveBeenStored(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof NotAcknowledgedException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
