package dev.tributary.node.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tributary ...} in a child JVM, as a user runs it: its own process (so its own file
 * locks), its own stdout and stderr, its exit code.
 */
final class ChildCli {

  /** Far above the few seconds a failing start takes: a bound on "does not hang", not a speed. */
  static final Duration LIMIT = Duration.ofSeconds(60);

  record Result(int exit, String out, String err) {
    /** The non-blank lines of stderr. */
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  private ChildCli() {}

  /** Runs the CLI with {@code args} and waits for it to exit, at most {@link #LIMIT}. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(workDir, "cli", ".out");
    Path err = Files.createTempFile(workDir, "cli", ".err");
    Process p = start(workDir, out, err, args);
    try {
      if (!p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("tributary " + String.join(" ", args) + " still runs after " + LIMIT
            + "; stderr: " + Files.readString(err));
      }
      return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts the CLI with {@code args} and returns at once, its stdout and stderr going to {@code
   * out} and {@code err}. The caller stops the process.
   */
  static Process start(Path workDir, Path out, Path err, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), TributaryCli.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
  }
}
