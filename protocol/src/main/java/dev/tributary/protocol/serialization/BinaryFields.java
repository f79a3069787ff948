package dev.tributary.protocol.serialization;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The length-prefixed fields shared by our hand-written binary serializers: a string is an
 * {@code int} byte count and its UTF-8 bytes, a byte array an {@code int} count and the bytes. The
 * buffer's byte order is the caller's.
 */
public final class BinaryFields {

  private BinaryFields() {}

  public static void putString(ByteBuffer buf, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buf.putInt(bytes.length).put(bytes);
  }

  public static String getString(ByteBuffer buf) {
    byte[] bytes = new byte[buf.getInt()];
    buf.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  public static byte[] getBytes(ByteBuffer buf) {
    byte[] bytes = new byte[buf.getInt()];
    buf.get(bytes);
    return bytes;
  }
}
