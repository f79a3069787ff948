package dev.tributary.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One broker per data directory, as Kafka's {@code .lock}: an exclusive lock on
 * {@code DIR/.lock}, taken before anything else touches the directory and held for the life of
 * the broker. The file holds the holder's pid and host, so a refused broker can name it. Two
 * brokers on one directory would both append at the same offsets and both write the journal's
 * clean-shutdown marker; with the lock the second never opens the journal.
 *
 * <p>File locks belong to the process, not to a channel: a second lock in the same JVM throws
 * {@link OverlappingFileLockException}, and on Linux closing any channel to the file drops every
 * lock the JVM holds on it. So a second broker in this JVM is refused from {@link #HELD} before
 * it opens the file at all. Thread-safe.
 */
final class DataDirLock implements AutoCloseable {

  static final String FILE = ".lock";

  /** Lock files held by brokers of this JVM, by real path. */
  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  /** Channels that found the file locked by this JVM; see {@link #acquire}. */
  private static final Set<FileChannel> UNCLOSABLE = ConcurrentHashMap.newKeySet();

  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;
  private boolean released;

  private DataDirLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code dataDir} if needed and locks it for this process.
   *
   * @throws IllegalStateException when another broker (of this process or another) holds it
   * @throws UncheckedIOException when the directory cannot be created or the lock file written
   */
  static DataDirLock acquire(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    Path file;
    try {
      Files.createDirectories(dir);
      file = dir.toRealPath().resolve(FILE);
    } catch (IOException e) {
      throw unusable(dir, e);
    }
    if (!HELD.add(file)) {
      throw inUse(dir, "another broker in this process (pid " + ProcessHandle.current().pid() + ")");
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw inUse(dir, holder(file));
      }
      byte[] me = (ProcessHandle.current().pid() + "@" + hostName() + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      channel.force(true);
      return new DataDirLock(file, channel, lock);
    } catch (OverlappingFileLockException e) {
      // Locked by this JVM under another path (a hard link, a bind mount). Closing this channel
      // could drop the other broker's lock, so it stays open for the life of the JVM.
      UNCLOSABLE.add(channel);
      HELD.remove(file);
      throw inUse(dir, "another broker in this process (pid " + ProcessHandle.current().pid() + ")");
    } catch (IOException e) {
      closeQuietly(channel, file);
      throw unusable(dir, e);
    } catch (RuntimeException e) {
      closeQuietly(channel, file);
      throw e;
    }
  }

  /** Releases the lock; idempotent. Call only once nothing writes to the directory any more. */
  @Override
  public synchronized void close() {
    if (released) {
      return;
    }
    released = true;
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The process exits or the channel is gone: the operating system drops the lock either way.
    } finally {
      HELD.remove(file);
    }
  }

  private static void closeQuietly(FileChannel channel, Path file) {
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // nothing was locked through it
    } finally {
      HELD.remove(file);
    }
  }

  /** "process 1234 on host h", from the lock file another process wrote. */
  private static String holder(Path file) {
    try {
      String content = Files.readString(file).trim();
      int at = content.indexOf('@');
      if (at > 0) {
        return "process " + content.substring(0, at) + " on " + content.substring(at + 1);
      }
    } catch (IOException e) {
      // fall through: the holder has the lock but we cannot read who it is
    }
    return "another process";
  }

  private static IllegalStateException inUse(Path dir, String holder) {
    return new IllegalStateException("data directory " + dir + " is in use by " + holder + " (it holds "
        + dir.resolve(FILE) + "): stop that broker first, or give this one its own --data-dir");
  }

  private static UncheckedIOException unusable(Path dir, IOException e) {
    String why;
    if (e instanceof FileAlreadyExistsException f) {
      why = f.getFile() + " is not a directory";
    } else if (e instanceof AccessDeniedException a) {
      why = "permission denied on " + a.getFile();
    } else if (e instanceof NoSuchFileException n) {
      why = n.getFile() + " does not exist";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      why = dir.toString().equals(f.getFile()) ? f.getReason() : f.getFile() + ": " + f.getReason();
    } else {
      why = String.valueOf(e.getMessage());
    }
    return new UncheckedIOException("cannot use data directory " + dir + ": " + why
        + "; give --data-dir a directory this user can create and write", e);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "this host";
    }
  }
}
