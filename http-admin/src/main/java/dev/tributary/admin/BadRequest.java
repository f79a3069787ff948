package dev.tributary.admin;

/** A request body that is not what the route accepts; the message says what is allowed. */
final class BadRequest extends RuntimeException {
  BadRequest(String message) {
    super(message);
  }
}
