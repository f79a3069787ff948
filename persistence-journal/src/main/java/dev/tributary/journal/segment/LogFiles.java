package dev.tributary.journal.segment;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * All file naming of the storage engine, in one place.
 *
 * <p>Layout under the engine's root: one directory per persistence id; in it, segment files named
 * by their first sequence number in 20 digits ({@code 00000000000000000001.log}), one index file
 * per segment ({@code .index}), a {@code deleted-to} low-water mark, the log's {@code
 * log.properties}, a {@code clean-shutdown} marker while the log is closed cleanly, and producer
 * snapshots named by the offset they were taken at, in 20 digits ({@code
 * 00000000000000001234.snapshot}, as Kafka's), the {@code leader-epoch-checkpoint} (Kafka's name
 * and format), a {@code truncating} record while a truncation is under way, and a {@code
 * log-start-offset} where a log emptied by truncation starts. Logs set aside by {@link
 * StorageEngine#quarantineLog} move to {@value #QUARANTINE_DIRECTORY} under the root.
 */
public final class LogFiles {

  public static final String SEGMENT_SUFFIX = ".log";
  public static final String INDEX_SUFFIX = ".index";
  public static final String CLEAN_SHUTDOWN = "clean-shutdown";
  public static final String DELETED_TO = "deleted-to";
  /** The log's leader epochs and their start offsets, in Kafka's checkpoint text format. */
  public static final String LEADER_EPOCH_CHECKPOINT = "leader-epoch-checkpoint";
  /** What a truncation under way will do: present from before its first change until it is done. */
  public static final String TRUNCATION = "truncating";
  /** Where a log emptied by truncation starts and ends, read only while it holds no batch. */
  public static final String EMPTY_LOG_START = "log-start-offset";
  public static final String PRODUCER_SNAPSHOT_SUFFIX = ".snapshot";
  /** What {@link #writeAtomically} appends to the name of the file it writes before the rename. */
  public static final String TEMPORARY_SUFFIX = ".tmp";
  /** Holds the original id of a log whose directory name is a hash. */
  public static final String PERSISTENCE_ID = "persistence-id";
  /** The log's own key-value record, kept by its user (a partition's topic id). */
  public static final String LOG_PROPERTIES = "log.properties";
  /**
   * Where quarantined logs go, under the root. No log's directory is named so: safe names hold no
   * {@code ~}, and hashed names start with {@code ~h-}.
   */
  public static final String QUARANTINE_DIRECTORY = "~quarantine";

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final String HASHED_PREFIX = "~h-";
  private static final int MAX_DIRECTORY_NAME = 200;

  private LogFiles() {}

  public static String segmentFileName(long baseSequenceNr) {
    return String.format("%020d", baseSequenceNr) + SEGMENT_SUFFIX;
  }

  public static Path segmentFile(Path dir, long baseSequenceNr) {
    return dir.resolve(segmentFileName(baseSequenceNr));
  }

  public static Path indexFile(Path dir, long baseSequenceNr) {
    return dir.resolve(String.format("%020d", baseSequenceNr) + INDEX_SUFFIX);
  }

  /** Where a quarantined log goes: {@code <root>/~quarantine/<directory name>.<millis>}. */
  public static Path quarantineTarget(Path root, String persistenceId, long millis) {
    return root.resolve(QUARANTINE_DIRECTORY).resolve(directoryName(persistenceId) + "." + millis);
  }

  /** A producer snapshot file: the offset it was taken at, in 20 digits. */
  public static Path producerSnapshotFile(Path dir, long offset) {
    return dir.resolve(String.format("%020d", offset) + PRODUCER_SNAPSHOT_SUFFIX);
  }

  /** The offset of a producer snapshot file name, or empty for any other file. */
  public static OptionalLong parseProducerSnapshotFileName(String fileName) {
    return parseNumberedFileName(fileName, PRODUCER_SNAPSHOT_SUFFIX);
  }

  /** The base sequence numbers of the segment files in {@code dir}, ascending. */
  static java.util.List<Long> segmentBases(Path dir) throws IOException {
    java.util.List<Long> bases = new java.util.ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
      for (Path file : files) {
        OptionalLong base = parseSegmentFileName(file.getFileName().toString());
        if (base.isPresent()) {
          bases.add(base.getAsLong());
        }
      }
    }
    bases.sort(java.util.Comparator.naturalOrder());
    return bases;
  }

  /** The base sequence number of a segment file name, or empty for any other file. */
  public static OptionalLong parseSegmentFileName(String fileName) {
    return parseNumberedFileName(fileName, SEGMENT_SUFFIX);
  }

  private static OptionalLong parseNumberedFileName(String fileName, String suffix) {
    if (!fileName.endsWith(suffix) || fileName.length() != 20 + suffix.length()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(fileName.substring(0, 20)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /**
   * The directory name of a persistence id. Partition ids ({@code <topic>-<partition>}) and other
   * ids of safe characters are used as they are; any other id is percent-encoded (safe names never
   * contain {@code %}, so the two cannot collide); an encoding over 200 bytes becomes a hash, with
   * the id written to a {@value #PERSISTENCE_ID} file inside.
   */
  public static String directoryName(String persistenceId) {
    if (SAFE_NAME.matcher(persistenceId).matches()
        && !persistenceId.equals(".")
        && !persistenceId.equals("..")) {
      return persistenceId;
    }
    StringBuilder encoded = new StringBuilder();
    for (byte b : persistenceId.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      boolean safe =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
              || c == '_';
      if (safe) {
        encoded.append(c);
      } else {
        encoded.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
      }
    }
    if (encoded.length() <= MAX_DIRECTORY_NAME && encoded.length() > 0) {
      return encoded.toString();
    }
    return HASHED_PREFIX + sha256(persistenceId);
  }

  /** Whether a directory name is a hash, so the id must be read from its file. */
  public static boolean isHashedDirectoryName(String directoryName) {
    return directoryName.startsWith(HASHED_PREFIX);
  }

  /** The persistence id of a non-hashed directory name. */
  public static String persistenceIdOf(String directoryName) {
    if (isHashedDirectoryName(directoryName)) {
      throw new IllegalArgumentException(
          directoryName + " is hashed: read its " + PERSISTENCE_ID + " file");
    }
    return directoryName.indexOf('%') < 0
        ? directoryName
        : URLDecoder.decode(directoryName, StandardCharsets.UTF_8);
  }

  /** Writes {@code content} to {@code target} through a fsynced temporary file and a rename. */
  public static void writeAtomically(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + TEMPORARY_SUFFIX);
    try (var channel =
        java.nio.channels.FileChannel.open(
            tmp,
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
            java.nio.file.StandardOpenOption.WRITE)) {
      var buffer = java.nio.ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsyncDirectory(target.getParent());
  }

  /** Makes a directory's entries (new, renamed or deleted files) durable. */
  public static void fsyncDirectory(Path dir) throws IOException {
    try (var channel = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to open directories for reading; nothing more can be done there.
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /** Moves {@code dir}, whole, to {@code target} (whose parent is created); both parents fsynced. */
  static void moveDirectory(Path dir, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
    fsyncDirectory(target.getParent());
    fsyncDirectory(dir.getParent());
  }

  /** Removes {@code dir} and everything in it. */
  static void deleteDirectory(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JVM", e);
    }
  }
}
