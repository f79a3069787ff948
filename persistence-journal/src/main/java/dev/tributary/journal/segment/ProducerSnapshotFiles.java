package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The producer snapshot files of one log directory ({@link LogFiles#producerSnapshotFile}). The
 * content is opaque here; the file frames it so a torn or damaged file is recognised:
 *
 * <pre>
 *  0  int8   version (1)
 *  1  int32  content length
 *  5  int32  CRC32C of the content
 *  9  bytes  content
 * </pre>
 *
 * <p>Files are written through a fsynced temporary file and a rename, so a crash leaves the old
 * file or the new one, never half of one. Threading: called only on the log's serial queue.
 */
final class ProducerSnapshotFiles {

  private static final Logger log = LoggerFactory.getLogger(ProducerSnapshotFiles.class);
  static final byte VERSION = 1;
  static final int HEADER_BYTES = 9;
  /** Snapshots kept per log: the newest, and one before it in case the newest is damaged. */
  static final int KEEP = 2;

  private ProducerSnapshotFiles() {}

  /** {@link #write}, refused when {@code offset} is outside {@code [0, logEnd]} of log {@code persistenceId}. */
  static void writeWithin(Path dir, String persistenceId, long offset, byte[] content, long logEnd)
      throws IOException {
    if (offset < 0 || offset > logEnd) {
      throw new IllegalArgumentException("log " + persistenceId + ": a producer snapshot at offset "
          + offset + " is outside [0, " + logEnd + "], the log's end");
    }
    write(dir, offset, content);
  }

  /** Writes the snapshot at {@code offset} and deletes all but the {@value #KEEP} newest. */
  static void write(Path dir, long offset, byte[] content) throws IOException {
    ByteBuffer framed = ByteBuffer.allocate(HEADER_BYTES + content.length);
    framed.put(VERSION).putInt(content.length).putInt(crc(content, 0, content.length)).put(content);
    LogFiles.writeAtomically(LogFiles.producerSnapshotFile(dir, offset), framed.array());
    List<Long> offsets = offsets(dir);
    for (int i = 0; i < offsets.size() - KEEP; i++) {
      delete(dir, offsets.get(i));
    }
  }

  /**
   * The newest intact snapshot with {@code lowest <= offset <= highest}. Snapshots above {@code
   * logEnd} describe data the log no longer has (a crash lost its tail) and snapshots below {@code
   * lowest} cannot be continued from the log: both are deleted, as is a damaged one, which costs
   * one WARN line; the next older snapshot is tried instead.
   */
  static Optional<ProducerSnapshot> latest(Path dir, long lowest, long highest, long logEnd)
      throws IOException {
    List<Long> offsets = offsets(dir);
    for (int i = offsets.size() - 1; i >= 0; i--) {
      long offset = offsets.get(i);
      if (offset > logEnd || offset < lowest) {
        log.info("Log {}: deleting producer snapshot {}, outside the log's offsets [{}, {}]",
            dir.getFileName(), offset, lowest, logEnd);
        delete(dir, offset);
        continue;
      }
      if (offset > highest) {
        continue;
      }
      Optional<byte[]> content = read(LogFiles.producerSnapshotFile(dir, offset));
      if (content.isPresent()) {
        return Optional.of(new ProducerSnapshot(offset, content.get()));
      }
      delete(dir, offset);
    }
    return Optional.empty();
  }

  /** Deletes the snapshots below {@code offset} (the log start offset after retention). */
  static void deleteBelow(Path dir, long offset) throws IOException {
    for (long o : offsets(dir)) {
      if (o < offset) {
        delete(dir, o);
      }
    }
  }

  /**
   * Deletes the snapshots above {@code offset} (the log end after a truncation: they describe
   * batches the log no longer has); -1 deletes them all.
   */
  static void deleteAbove(Path dir, long offset) throws IOException {
    for (long o : offsets(dir)) {
      if (o > offset) {
        delete(dir, o);
      }
    }
  }

  /** The content of a snapshot file, or empty (with one WARN line) when it is torn or damaged. */
  static Optional<byte[]> read(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String problem = null;
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_BYTES) {
      problem = "it has " + bytes.length + " bytes, less than its header";
    } else if (in.get() != VERSION) {
      problem = "its version is " + bytes[0] + ", not " + VERSION;
    } else {
      int length = in.getInt();
      int crc = in.getInt();
      if (length != bytes.length - HEADER_BYTES) {
        problem = "it says " + length + " bytes of content but has " + (bytes.length - HEADER_BYTES);
      } else if (crc(bytes, HEADER_BYTES, length) != crc) {
        problem = "its content fails its CRC";
      }
    }
    if (problem != null) {
      log.warn("Ignoring producer snapshot {}: {}; falling back to an older one or to the log",
          file, problem);
      return Optional.empty();
    }
    byte[] content = new byte[bytes.length - HEADER_BYTES];
    System.arraycopy(bytes, HEADER_BYTES, content, 0, content.length);
    return Optional.of(content);
  }

  /** Offsets of the snapshot files in {@code dir}, ascending; leftover temporary files are removed. */
  static List<Long> offsets(Path dir) throws IOException {
    List<Long> offsets = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        OptionalLong offset = LogFiles.parseProducerSnapshotFileName(name);
        if (offset.isPresent()) {
          offsets.add(offset.getAsLong());
        } else if (name.endsWith(LogFiles.PRODUCER_SNAPSHOT_SUFFIX + LogFiles.TEMPORARY_SUFFIX)) {
          Files.deleteIfExists(file); // a write the process did not finish
        }
      }
    }
    offsets.sort(Comparator.naturalOrder());
    return offsets;
  }

  private static void delete(Path dir, long offset) throws IOException {
    Files.deleteIfExists(LogFiles.producerSnapshotFile(dir, offset));
  }

  private static int crc(byte[] bytes, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, length);
    return (int) crc.getValue();
  }
}
