package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.zip.CRC32C;

/**
 * The low-water mark of a log: entries up to this sequence number are deleted even where their
 * segment cannot be dropped yet. Stored as 8 bytes and a CRC32C, written atomically.
 */
final class DeletedToMarker {

  private DeletedToMarker() {}

  /** The stored mark, or 0 when there is none. */
  static long read(Path dir) throws IOException {
    return readValue(dir.resolve(LogFiles.DELETED_TO)).orElse(0);
  }

  static void write(Path dir, long deletedTo) throws IOException {
    writeValue(dir.resolve(LogFiles.DELETED_TO), deletedTo);
  }

  /** A long stored by {@link #writeValue}, or empty when the file does not exist. */
  static OptionalLong readValue(Path file) throws IOException {
    if (!Files.exists(file)) {
      return OptionalLong.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file));
    if (buf.remaining() != 12) {
      throw new IOException(file + " is damaged (" + buf.remaining() + " bytes, expected 12)");
    }
    long value = buf.getLong(0);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 8);
    if ((int) crc.getValue() != buf.getInt(8)) {
      throw new IOException(file + " fails its CRC");
    }
    return OptionalLong.of(value);
  }

  /** Stores {@code value} as 8 bytes and a CRC32C, atomically. */
  static void writeValue(Path file, long value) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(12).putLong(value);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 8);
    buf.putInt((int) crc.getValue());
    LogFiles.writeAtomically(file, buf.array());
  }
}
