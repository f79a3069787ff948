package dev.tributary.node.cli;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tributary start} with a bad setting, in a child JVM as a user runs it: one line on
 * stderr that names what to fix, no stack trace, a non-zero exit, and no hang
 * ({@link ChildCli#LIMIT} fails the test).
 */
class StartCommandTest {

  @TempDir Path dir;

  private ChildCli.Result start(String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("start"));
    args.addAll(List.of(flags));
    return ChildCli.run(dir, args.toArray(String[]::new));
  }

  private static void assertRefusedInOneLine(ChildCli.Result r, String... mentions) {
    assertNotEquals(0, r.exit(), "exit code; stderr: " + r.err());
    assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace on stderr: " + r.err());
    assertEquals(1, r.errLines().size(), "one line on stderr: " + r.err());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: "), line);
    for (String m : mentions) {
      assertTrue(line.contains(m), "the line names " + m + ": " + line);
    }
    assertTrue(r.out().isEmpty(), "nothing claims the broker is up: " + r.out());
  }

  @Test
  void aBadFsyncValueIsOneLineNamingTheFlagAndANonZeroExit() throws Exception {
    ChildCli.Result r = start("--fsync", "sometimes", "--data-dir", dir.resolve("data").toString(), "--port", "0");
    assertRefusedInOneLine(r, "--fsync", "sometimes", "always, interval, never");
  }

  @Test
  void aBusyPortIsOneLineNamingTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      String port = Integer.toString(taken.getLocalPort());
      ChildCli.Result r = start("--port", port, "--data-dir", dir.resolve("data").toString());
      assertRefusedInOneLine(r, "--port " + port, "in use");
    }
  }

  @Test
  void aBusyAdminPortIsOneLineNamingTheFlag() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      String port = Integer.toString(taken.getLocalPort());
      ChildCli.Result r = start("--admin-port", port, "--port", "0", "--data-dir", dir.resolve("data").toString());
      assertRefusedInOneLine(r, "--admin-port " + port, "in use");
    }
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedIsOneLineNamingIt() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path under = file.resolve("data");
    ChildCli.Result r = start("--data-dir", under.toString(), "--port", "0");
    assertRefusedInOneLine(r, under.toString(), "--data-dir");
  }

  /**
   * A second broker on a data directory in use is refused before it opens the journal: it names
   * the directory and the process holding it, and the first broker's log is untouched (its next
   * offset follows its own records, and they are all there after it restarts).
   */
  @Test
  void aSecondBrokerOnALockedDataDirectoryIsRefusedAndTheFirstKeepsItsData() throws Exception {
    Path data = dir.resolve("data");
    List<String> written = List.of("a", "b", "c");
    try (TestBroker first = TestBroker.start(data); TributaryClient client = first.client()) {
      await(client.createTopic("greetings", 1, Map.of()));
      produce(client, written);

      ChildCli.Result r = start("--data-dir", data.toString(), "--port", "0");
      assertRefusedInOneLine(r, data.toAbsolutePath().toString(), "in use by process " + ProcessHandle.current().pid());

      assertEquals(3, produce(client, List.of("d")), "the first broker's next offset follows its own records");
    }
    try (TestBroker restarted = TestBroker.start(data); TributaryClient client = restarted.client()) {
      assertEquals(List.of("a", "b", "c", "d"), readAll(client, "greetings", 4),
          "after a restart (the lock released with the first broker) every record is there, once");
    }
  }

  /** Produces the values in order to partition 0 of greetings; returns the last one's offset. */
  private static long produce(TributaryClient client, List<String> values) {
    long last = -1;
    try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
      for (String v : values) {
        last = await(producer.send("greetings", null, v.getBytes(StandardCharsets.UTF_8))).offset();
      }
    }
    return last;
  }

  private static List<String> readAll(TributaryClient client, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      List<TopicPartition> tps = List.of(new TopicPartition(topic, 0));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          values.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return values;
  }
}
