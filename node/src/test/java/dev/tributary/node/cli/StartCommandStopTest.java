package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary start} stopped as a user stops it, with SIGTERM (what Ctrl-C's SIGINT also
 * does): in a child JVM, so the JVM's own shutdown hook runs the stop and exits the process.
 */
class StartCommandStopTest {

  @TempDir Path dir;

  @Test
  void aBrokerStoppedWithSigtermPrintsOneStoppedLineAfterItsUpLine() throws Exception {
    Path out = Files.createFile(dir.resolve("start.out"));
    Path err = Files.createFile(dir.resolve("start.err"));
    Process broker = ChildCli.start(dir, out, err,
        "start", "--port", "0", "--admin-port", "0", "--data-dir", dir.resolve("data").toString());
    try {
      long deadline = System.nanoTime() + ChildCli.LIMIT.toNanos();
      while (!Files.readString(out).contains(" is up on ")) {
        assertTrue(broker.isAlive(), "the broker exited before it was up; stderr: " + Files.readString(err));
        assertTrue(System.nanoTime() < deadline, "not up after " + ChildCli.LIMIT + "; stderr: " + Files.readString(err));
        Thread.sleep(100);
      }
      broker.destroy(); // SIGTERM
      assertTrue(broker.waitFor(ChildCli.LIMIT.toSeconds(), TimeUnit.SECONDS),
          "still running after SIGTERM; stderr: " + Files.readString(err));

      List<String> lines = Files.readAllLines(out).stream().filter(l -> !l.isBlank()).toList();
      assertEquals(2, lines.size(), "the up line and the stopped line, nothing else: " + lines);
      assertTrue(lines.get(0).startsWith("Tributary broker 0 is up on 127.0.0.1:"), lines.get(0));
      assertEquals("Tributary broker 0 stopped.", lines.get(1));
    } finally {
      broker.destroyForcibly();
      broker.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
