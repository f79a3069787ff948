package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The calls a segment makes to change its file ({@code file} is the segment's path, {@code
 * channel} its open channel): write, fsync and cut back. Production uses
 * {@link #DIRECT}; tests pass their own to make a call fail as a full or broken disk would
 * (an {@link IOException} "No space left on device" half-way through a write, a failed fsync).
 *
 * <p>Threading: called on the log's serial queue only.
 */
public interface FileOps {

  /** The file channel's own calls, no faults. */
  FileOps DIRECT = new FileOps() {};

  /** Writes some of {@code source} at {@code position} of {@code file}; returns the bytes written. */
  default int write(Path file, FileChannel channel, ByteBuffer source, long position) throws IOException {
    return channel.write(source, position);
  }

  /** Forces the file's written data to disk (not its metadata). */
  default void force(Path file, FileChannel channel) throws IOException {
    channel.force(false);
  }

  /** Cuts the file back to {@code size} bytes, after a write that did not complete. */
  default void truncate(Path file, FileChannel channel, long size) throws IOException {
    channel.truncate(size);
  }
}
