package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command pointed at a port where nothing listens says so in one line and exits 1, in about a
 * JVM start (docs/BENCHMARKS.md, "CLI start-up", has the figures), not after a request timeout.
 */
class UnreachableBootstrapTest {

  /** Far above the second or so it takes, far below the 10 s request timeout plus shutdown of before. */
  private static final Duration BOUND = Duration.ofSeconds(10);

  @TempDir Path dir;

  /** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private ChildCli.Result timed(String... args) throws Exception {
    long start = System.nanoTime();
    ChildCli.Result result = ChildCli.run(dir, args);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(took.compareTo(BOUND) < 0, "tributary " + String.join(" ", args) + " took " + took);
    return result;
  }

  @Test
  void aRefusedBootstrapFailsWithOneLineAndExitCodeOne() throws Exception {
    int port = closedPort();
    ChildCli.Result r = timed("topic", "list", "--bootstrap", "127.0.0.1:" + port);
    assertEquals(1, r.exit(), r.err());
    assertEquals(java.util.List.of("error: BROKER_NOT_AVAILABLE: no broker accepts connections at 127.0.0.1:" + port
        + " (connection refused): is a broker running there?"), r.errLines());
    assertEquals("", r.out());
  }

  @Test
  void everyRefusedAddressIsNamedAndProduceFailsTheSameWay() throws Exception {
    int a = closedPort();
    int b = closedPort();
    ChildCli.Result r = timed("produce", "t", "--bootstrap", "127.0.0.1:" + a + ",127.0.0.1:" + b);
    assertEquals(1, r.exit(), r.err());
    assertEquals(1, r.errLines().size(), r.err());
    assertTrue(r.err().contains("127.0.0.1:" + a + " (connection refused), 127.0.0.1:" + b + " (connection refused)"),
        r.err());
  }
}
