package dev.tributary.node.quorum;

import dev.tributary.node.RunsAlone;
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
@RunsAlone
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

  /**
   * The helpers the failover tests use, on one broker: a command in the background whose stdout
   * is read as it comes, a command fed its standard input, the bootstrap list of every broker,
   * and topic describe and the verifiable tools' events parsed.
   */
  @Test
  void aBackgroundCommandStreamsItsStdoutAndACommandIsFedItsStandardInput() {
    try (BrokerProcesses brokers = BrokerProcesses.builder(dir).brokers(1).start()) {
      assertEquals(brokers.bootstrap(0), brokers.bootstrapAll());
      brokers.cliOk("topic", "create", "streamed", "--partitions", "1", "--bootstrap", brokers.bootstrapAll());

      BrokerProcesses.Result fed = brokers.cliWithInput("a\nb\n", BrokerProcesses.CLI_LIMIT,
          "produce", "streamed", "--bootstrap", brokers.bootstrapAll()).requireOk();
      assertEquals("", fed.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElse(""), fed.toString());

      BrokerProcesses.Result finished;
      try (BrokerProcesses.Background producer = brokers.cliInBackground("verifiable-producer", "--topic", "streamed",
          "--max-messages", "300", "--throughput", "100", "--bootstrap", brokers.bootstrapAll())) {
        List<String> early = producer.awaitLines(l -> VerifiableEvents.isEvent(l, "producer_send_success"), 20,
            Duration.ofSeconds(60));
        assertTrue(producer.isAlive(), "still producing after 20 of 300 at 100/s: " + producer);
        assertTrue(early.size() < 300, "read as it comes, not at the end: " + early.size() + " lines");
        finished = producer.await(Duration.ofSeconds(120));
      }
      assertEquals(0, finished.exit(), finished.toString());
      VerifiableEvents produced = VerifiableEvents.parse(finished.out());
      assertEquals(300, produced.acknowledged().size(), finished.toString());
      assertEquals(300, produced.toolData().get("acked").asLong());
      assertEquals(2, produced.acknowledged().stream().mapToLong(VerifiableEvents.Placed::offset).min().orElseThrow(),
          "after the two lines fed to produce");

      TopicDescription d = TopicDescription.parse(brokers.cliOk("topic", "describe", "streamed",
          "--bootstrap", brokers.bootstrapAll()));
      assertEquals(302, d.partition(0).highWatermark(), d.text());
      assertEquals(java.util.OptionalInt.of(0), d.partition(0).leader(), d.text());
      assertEquals(java.util.Set.of(0), d.partition(0).isrSet(), d.text());
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
