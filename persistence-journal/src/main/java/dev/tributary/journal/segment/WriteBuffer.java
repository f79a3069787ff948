package dev.tributary.journal.segment;

import java.nio.ByteBuffer;

/**
 * One direct buffer per I/O thread for encoding entries before they are written. Direct, so the
 * JDK writes it to the file without first copying it into a temporary direct buffer of its own.
 */
final class WriteBuffer {

  /** Bytes encoded before a run is written out; larger single writes get a buffer of their own. */
  static final int CAPACITY = 8 * 1024 * 1024;

  private static final ThreadLocal<ByteBuffer> BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CAPACITY));

  private WriteBuffer() {}

  /** This thread's buffer, cleared. Valid until the calling task ends; never share it. */
  static ByteBuffer acquire() {
    return BUFFER.get().clear();
  }
}
