package dev.tributary.protocol.record;

/** Bytes that should be a record batch are not one: wrong length, wrong CRC, bad fields. */
public final class CorruptRecordException extends RuntimeException {
  public CorruptRecordException(String message) {
    super(message);
  }
}
