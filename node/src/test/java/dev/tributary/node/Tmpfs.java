package dev.tributary.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a test directory, so a test can fill the disk for real ("No space left
 * on device") and give the space back. Needs root, as CI and the dev container have; skipped
 * otherwise. {@link #close} always unmounts (lazily if something still holds a file).
 */
public final class Tmpfs implements AutoCloseable {

  private final Path dir;

  private Tmpfs(Path dir) {
    this.dir = dir;
  }

  /** Mounts a tmpfs of {@code size} (as mount takes it: "8m") on {@code dir}, created if missing. */
  public static Tmpfs mount(Path dir, String size) throws Exception {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
        "mounting a tmpfs needs root (CI and the dev container run as root)");
    Files.createDirectories(dir);
    run(true, "mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
    return new Tmpfs(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Gives the file system {@code size} in all: space returns. */
  public void resize(String size) throws Exception {
    run(true, "mount", "-o", "remount,size=" + size, dir.toString());
  }

  @Override
  public void close() throws Exception {
    if (!run(false, "umount", dir.toString())) {
      run(true, "umount", "-l", dir.toString());
    }
  }

  private static boolean run(boolean mustSucceed, String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    if (p.exitValue() != 0 && mustSucceed) {
      throw new AssertionError(String.join(" ", command) + " failed: " + output);
    }
    return p.exitValue() == 0;
  }
}
