package dev.tributary.protocol.record;

import java.nio.ByteBuffer;

/** Zig-zag variable-length integers, as Kafka's record format writes them. */
final class Varints {

  private Varints() {}

  static void writeVarint(int value, ByteBuffer out) {
    int v = (value << 1) ^ (value >> 31);
    while ((v & 0xFFFFFF80) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  static void writeVarlong(long value, ByteBuffer out) {
    long v = (value << 1) ^ (value >> 63);
    while ((v & 0xFFFFFFFFFFFFFF80L) != 0) {
      out.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.put((byte) v);
  }

  static int readVarint(ByteBuffer in) {
    int raw = 0;
    int shift = 0;
    while (true) {
      byte b = in.get();
      raw |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 28) {
        throw new CorruptRecordException("a varint is longer than 5 bytes");
      }
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  static long readVarlong(ByteBuffer in) {
    long raw = 0;
    int shift = 0;
    while (true) {
      byte b = in.get();
      raw |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
      shift += 7;
      if (shift > 63) {
        throw new CorruptRecordException("a varlong is longer than 10 bytes");
      }
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  static int sizeOfVarint(int value) {
    int v = (value << 1) ^ (value >> 31);
    int bytes = 1;
    while ((v & 0xFFFFFF80) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }

  static int sizeOfVarlong(long value) {
    long v = (value << 1) ^ (value >> 63);
    int bytes = 1;
    while ((v & 0xFFFFFFFFFFFFFF80L) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }
}
