package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Segment file calls that fail when told to, as a full or broken disk fails them: a write that
 * runs out of space part-way (a short write, then "No space left on device"), an fsync that
 * fails, a truncation that fails. Faults hit only files under {@link #only} (every file when it is
 * null). Calls go to the real file otherwise.
 */
final class FaultyDisk implements FileOps {

  static final String NO_SPACE = "No space left on device";
  static final String IO_ERROR = "Input/output error";

  private volatile Path only;
  private volatile long spaceLeft = Long.MAX_VALUE;
  private volatile boolean failFsync;
  private volatile boolean failTruncate;
  private volatile CountDownLatch holdWrites;
  private final CountDownLatch writeHeld = new CountDownLatch(1);
  final AtomicInteger writes = new AtomicInteger();
  final AtomicInteger fsyncs = new AtomicInteger();

  /** Faults hit only files under {@code dir}. */
  FaultyDisk only(Path dir) {
    this.only = dir;
    return this;
  }

  /** Lets {@code bytes} more bytes be written, then every write fails for want of space. */
  void fillUpAfter(long bytes) {
    spaceLeft = bytes;
  }

  void failFsyncs() {
    failFsync = true;
  }

  void failTruncates() {
    failTruncate = true;
  }

  /** No more faults: space is back and the device works. */
  void heal() {
    spaceLeft = Long.MAX_VALUE;
    failFsync = false;
    failTruncate = false;
  }

  /** The next write waits until {@link #releaseWrites} (writes queued meanwhile drain together). */
  void holdNextWrite() {
    holdWrites = new CountDownLatch(1);
  }

  /** Waits until a held write has started. */
  void awaitHeldWrite() throws InterruptedException {
    if (!writeHeld.await(30, TimeUnit.SECONDS)) {
      throw new AssertionError("no write reached the disk");
    }
  }

  void releaseWrites() {
    CountDownLatch hold = holdWrites;
    holdWrites = null;
    if (hold != null) {
      hold.countDown();
    }
  }

  private boolean hits(Path file) {
    Path dir = only;
    return dir == null || file.startsWith(dir);
  }

  @Override
  public int write(Path file, FileChannel channel, ByteBuffer source, long position) throws IOException {
    CountDownLatch hold = holdWrites;
    if (hold != null) {
      writeHeld.countDown();
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    writes.incrementAndGet();
    if (!hits(file)) {
      return channel.write(source, position);
    }
    long left = spaceLeft;
    if (left <= 0) {
      throw new IOException(NO_SPACE);
    }
    ByteBuffer part = source.duplicate();
    part.limit(part.position() + (int) Math.min(left, part.remaining()));
    int written = channel.write(part, position);
    source.position(source.position() + written);
    if (left != Long.MAX_VALUE) {
      spaceLeft = left - written;
    }
    return written;
  }

  @Override
  public void force(Path file, FileChannel channel) throws IOException {
    fsyncs.incrementAndGet();
    if (failFsync && hits(file)) {
      throw new IOException(IO_ERROR);
    }
    channel.force(false);
  }

  @Override
  public void truncate(Path file, FileChannel channel, long size) throws IOException {
    if (failTruncate && hits(file)) {
      throw new IOException(IO_ERROR);
    }
    channel.truncate(size);
  }
}
