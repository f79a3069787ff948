package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The calls a segment makes to its file ({@code file} is the segment's path, {@code channel} its
 * open channel): read, write, fsync and cut back. Production uses {@link #DIRECT}; tests pass
 * their own to make a call fail as a full or broken disk would (an {@link IOException} "No space
 * left on device" half-way through a write, a failed fsync), or to see what a read costs.
 *
 * <p>Threading: reads on any thread; the other calls on the log's serial queue only.
 */
public interface FileOps {

  /** The file channel's own calls, no faults. */
  FileOps DIRECT = new FileOps() {};

  /** Reads some of the file at {@code position} into {@code target}; returns the bytes read, or -1 at its end. */
  default int read(Path file, FileChannel channel, ByteBuffer target, long position) throws IOException {
    return channel.read(target, position);
  }

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
