package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The low-water mark of a log: entries up to this sequence number are deleted even where their
 * segment cannot be dropped yet. Stored as 8 bytes and a CRC32C, written atomically.
 */
final class DeletedToMarker {

  private DeletedToMarker() {}

  /** The stored mark, or 0 when there is none. */
  static long read(Path dir) throws IOException {
    Path file = dir.resolve(LogFiles.DELETED_TO);
    if (!Files.exists(file)) {
      return 0;
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
    return value;
  }

  static void write(Path dir, long deletedTo) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(12).putLong(deletedTo);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, 8);
    buf.putInt((int) crc.getValue());
    LogFiles.writeAtomically(dir.resolve(LogFiles.DELETED_TO), buf.array());
  }
}
