package dev.tributary.journal;

import dev.tributary.journal.segment.JournalEntry.SerializedValue;
import dev.tributary.journal.segment.LogFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Snapshot files: {@code <root>/<persistence id dir>/snapshot-<seq, 20 digits>-<timestamp, 20
 * digits>.snap}, each holding the serialized snapshot, optional metadata and a CRC32C. Written to a
 * temporary name, fsynced and atomically renamed, so a crash leaves the old snapshot or the new
 * one, never half of one. Blocking: call from the I/O dispatcher only.
 */
final class SnapshotFiles {

  private static final Logger log = LoggerFactory.getLogger(SnapshotFiles.class);
  private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})-(\\d{20})\\.snap");
  private static final int MAGIC = 0x54534e50; // "TSNP"

  /** A snapshot file's identity, from its name. */
  record Key(long sequenceNr, long timestamp, Path file) {}

  /** A snapshot read back from disk. */
  record Stored(Key key, SerializedValue snapshot, Optional<SerializedValue> metadata) {}

  private final Path root;

  SnapshotFiles(Path root) {
    this.root = root;
  }

  void save(String persistenceId, long sequenceNr, long timestamp, SerializedValue snapshot,
      Optional<SerializedValue> metadata) throws IOException {
    Path dir = directory(persistenceId);
    Files.createDirectories(dir);
    ByteBuffer buf = ByteBuffer.allocate(
        64 + snapshot.bytes().length + snapshot.manifest().length() * 4
            + metadata.map(m -> 16 + m.bytes().length + m.manifest().length() * 4).orElse(0));
    buf.putInt(MAGIC).putLong(sequenceNr).putLong(timestamp);
    put(buf, snapshot);
    buf.put((byte) (metadata.isPresent() ? 1 : 0));
    metadata.ifPresent(m -> put(buf, m));
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putInt((int) crc.getValue());
    byte[] content = new byte[buf.position()];
    buf.flip().get(content);
    LogFiles.writeAtomically(dir.resolve(fileName(sequenceNr, timestamp)), content);
  }

  /** Snapshot keys of a persistence id, newest (highest sequence number) first. */
  List<Key> list(String persistenceId) throws IOException {
    Path dir = directory(persistenceId);
    List<Key> keys = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return keys;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "snapshot-*.snap")) {
      for (Path file : files) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        if (m.matches()) {
          keys.add(new Key(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), file));
        }
      }
    }
    keys.sort(Comparator.comparingLong(Key::sequenceNr).thenComparingLong(Key::timestamp).reversed());
    return keys;
  }

  /** Reads a snapshot file, or empty when it is damaged (logged). */
  Optional<Stored> read(Key key) {
    try {
      ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(key.file()));
      CRC32C crc = new CRC32C();
      crc.update(buf.array(), 0, buf.limit() - 4);
      if (buf.limit() < 25 || (int) crc.getValue() != buf.getInt(buf.limit() - 4)
          || buf.getInt() != MAGIC) {
        log.warn("Snapshot {} is damaged; ignoring it and trying an older one", key.file());
        return Optional.empty();
      }
      buf.getLong();
      buf.getLong();
      SerializedValue snapshot = get(buf);
      Optional<SerializedValue> metadata = buf.get() == 1 ? Optional.of(get(buf)) : Optional.empty();
      return Optional.of(new Stored(key, snapshot, metadata));
    } catch (IOException | RuntimeException e) {
      log.warn("Snapshot {} cannot be read; ignoring it and trying an older one", key.file(), e);
      return Optional.empty();
    }
  }

  void delete(Key key) throws IOException {
    Files.deleteIfExists(key.file());
  }

  private Path directory(String persistenceId) {
    return root.resolve(LogFiles.directoryName(persistenceId));
  }

  private static String fileName(long sequenceNr, long timestamp) {
    return String.format("snapshot-%020d-%020d.snap", sequenceNr, timestamp);
  }

  private static void put(ByteBuffer buf, SerializedValue value) {
    byte[] manifest = value.manifest().getBytes(StandardCharsets.UTF_8);
    buf.putInt(value.serializerId()).putInt(manifest.length).put(manifest);
    buf.putInt(value.bytes().length).put(value.bytes());
  }

  private static SerializedValue get(ByteBuffer buf) {
    int serializerId = buf.getInt();
    byte[] manifest = new byte[buf.getInt()];
    buf.get(manifest);
    byte[] bytes = new byte[buf.getInt()];
    buf.get(bytes);
    return new SerializedValue(serializerId, new String(manifest, StandardCharsets.UTF_8), bytes);
  }
}
