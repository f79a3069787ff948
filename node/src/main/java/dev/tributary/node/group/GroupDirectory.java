package dev.tributary.node.group;

import dev.tributary.journal.segment.LogFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The consumer groups a broker stored before the replicated group log: the journal logs named
 * {@code __group-<id>} (a group appeared with its first commit). Read from the directory listing,
 * so it needs no actor; only to say at start that their offsets are not carried over.
 */
public final class GroupDirectory {

  private static final String PREFIX = "__group-";

  private final Path journalRoot;

  public GroupDirectory(Path journalRoot) {
    this.journalRoot = journalRoot;
  }

  /** Group ids, sorted; empty when the journal cannot be listed. */
  public List<String> groups() {
    List<String> groups = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(journalRoot)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        String id = LogFiles.isHashedDirectoryName(name) ? readIdFile(dir) : LogFiles.persistenceIdOf(name);
        if (id != null && id.startsWith(PREFIX)) {
          groups.add(id.substring(PREFIX.length()));
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    Collections.sort(groups);
    return groups;
  }

  private static String readIdFile(Path dir) {
    try {
      return Files.readString(dir.resolve(LogFiles.PERSISTENCE_ID));
    } catch (IOException e) {
      return null;
    }
  }
}
