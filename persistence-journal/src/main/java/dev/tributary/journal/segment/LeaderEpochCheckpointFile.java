package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@value LogFiles#LEADER_EPOCH_CHECKPOINT} file of a log directory: its leader-epoch cache in
 * Kafka's checkpoint text format, so the file reads the same as a Kafka broker's:
 *
 * <pre>
 * 0            version
 * 2            number of entries
 * 0 0          epoch, start offset
 * 3 1200
 * </pre>
 *
 * <p>Written through a fsynced temporary file and a rename, whatever the fsync policy (it changes
 * only when a new epoch starts or the log is truncated), so a crash leaves the old file or the new
 * one. It is a cache: a file that cannot be read is reported, and the log rebuilds it.
 *
 * <p>Threading: the log's serial queue only.
 */
final class LeaderEpochCheckpointFile {

  static final int VERSION = 0;

  private LeaderEpochCheckpointFile() {}

  static Path file(Path dir) {
    return dir.resolve(LogFiles.LEADER_EPOCH_CHECKPOINT);
  }

  /** Writes {@code entries} atomically (temporary file, fsync, rename, directory fsync). */
  static void write(Path dir, List<EpochEntry> entries) throws IOException {
    StringBuilder text = new StringBuilder();
    text.append(VERSION).append('\n').append(entries.size()).append('\n');
    for (EpochEntry e : entries) {
      text.append(e.epoch()).append(' ').append(e.startOffset()).append('\n');
    }
    LogFiles.writeAtomically(file(dir), text.toString().getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The entries stored in {@code dir}, or empty when there is no file.
   *
   * @throws IOException when the file cannot be read or is not a valid checkpoint; the message
   *     says what is wrong with it
   */
  static Optional<List<EpochEntry>> read(Path dir) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(file(dir), StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new IOException("it is not ASCII text");
    }
    if (lines.size() < 2) {
      throw new IOException("it has " + lines.size() + " lines, fewer than its header");
    }
    int version = number(lines.get(0), "version");
    if (version != VERSION) {
      throw new IOException("its version is " + version + ", not " + VERSION);
    }
    int count = number(lines.get(1), "entry count");
    if (count != lines.size() - 2) {
      throw new IOException("it says " + count + " entries but has " + (lines.size() - 2));
    }
    List<EpochEntry> entries = new ArrayList<>(count);
    for (String line : lines.subList(2, lines.size())) {
      String[] fields = line.split(" ");
      if (fields.length != 2) {
        throw new IOException("the line '" + line + "' is not 'epoch offset'");
      }
      try {
        entries.add(new EpochEntry(Integer.parseInt(fields[0]), Long.parseLong(fields[1])));
      } catch (IllegalArgumentException e) { // NumberFormatException, or a negative value
        throw new IOException("the line '" + line + "' is not 'epoch offset': " + e.getMessage());
      }
    }
    String problem = LeaderEpochCache.orderProblem(entries);
    if (problem != null) {
      throw new IOException(problem);
    }
    return Optional.of(entries);
  }

  private static int number(String line, String what) throws IOException {
    try {
      return Integer.parseInt(line.trim());
    } catch (NumberFormatException e) {
      throw new IOException("its " + what + " line '" + line + "' is not a number");
    }
  }
}
