package dev.tributary.node.quorum;

import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness itself, with today's {@code start} flags (no controller quorum): one child broker,
 * topics through the CLI, kill -9, a restart on the same data and addresses.
 */
class BrokerProcessesTest {

  @TempDir Path dir;

  @Test
  void aTopicSurvivesKillMinus9AndRestartOfAChildBroker() throws Exception {
    try (BrokerProcesses brokers = BrokerProcesses.builder(dir).brokers(1).start()) {
      String bootstrap = brokers.bootstrap(0);
      assertFalse(brokers.startArgs(0).contains("--controller-voters"));
      assertFalse(brokers.startArgs(0).contains("--seed"));

      String created = brokers.cliOk("topic", "create", "harness", "--partitions", "2", "--bootstrap", bootstrap);
      assertTrue(created.contains("Created topic harness with 2 partitions"), created);
      assertEquals(List.of("harness"), brokers.cli("topic", "list", "--bootstrap", bootstrap).requireOk().outLines());

      long firstPid = brokers.pid(0);
      brokers.kill9(0);
      assertFalse(brokers.isRunning(0));
      BrokerProcesses.Result down = brokers.cli("topic", "list", "--bootstrap", bootstrap);
      assertNotEquals(0, down.exit(), down.toString());

      brokers.restart(0);
      assertNotEquals(firstPid, brokers.pid(0));
      assertTrue(Files.readString(brokers.log(0)).contains("is up on"));
      eventually(Duration.ofSeconds(60), () ->
          assertEquals(List.of("harness"), brokers.cli("topic", "list", "--bootstrap", bootstrap).requireOk().outLines()));
      String described = brokers.cliOk("topic", "describe", "harness", "--bootstrap", bootstrap);
      assertTrue(described.contains("Partitions: 2"), described);
    }
  }

  @Test
  void eventuallyRetriesUntilTheAssertionHoldsAndRethrowsTheLastFailureAfterTheLimit() {
    long start = System.nanoTime();
    int[] calls = {0};
    int value = eventually(Duration.ofSeconds(10), () -> {
      if (++calls[0] < 3) {
        throw new AssertionError("not yet " + calls[0]);
      }
      return calls[0];
    });
    assertEquals(3, value);
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());

    AssertionError failed = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, () ->
        eventually(Duration.ofMillis(500), () -> {
          throw new IllegalStateException("never");
        }));
    assertTrue(failed.getCause() instanceof IllegalStateException, String.valueOf(failed));
  }
}
