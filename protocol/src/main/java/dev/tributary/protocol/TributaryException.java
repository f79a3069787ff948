package dev.tributary.protocol;

/** A request failed with an {@link ErrorCode}; the message says what to do. */
public class TributaryException extends RuntimeException {

  private final ErrorCode code;

  public TributaryException(ErrorCode code, String detail) {
    super(code.name() + ": " + (detail == null || detail.isEmpty() ? code.advice() : detail));
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
