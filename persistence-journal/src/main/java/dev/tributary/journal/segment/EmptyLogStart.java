package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Where a log emptied by truncation starts (and ends) until its next batch, as Kafka's {@code
 * truncateFullyAndStartAt}: segment files are named by sequence number, so an empty log cannot
 * carry its start offset in a file name as Kafka's can. Read only while the log holds no batch;
 * once it holds one, its start comes from its segments. Stored as {@link DeletedToMarker} stores
 * its mark. Threading: the log's serial queue only.
 */
final class EmptyLogStart {

  private EmptyLogStart() {}

  static OptionalLong read(Path dir) throws IOException {
    return DeletedToMarker.readValue(dir.resolve(LogFiles.EMPTY_LOG_START));
  }

  static void write(Path dir, long offset) throws IOException {
    DeletedToMarker.writeValue(dir.resolve(LogFiles.EMPTY_LOG_START), offset);
  }
}
