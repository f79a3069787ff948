package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.node.TestBroker;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verifiable-producer} and {@code verifiable-consumer} against a real broker: their JSON
 * lines alone prove that every acknowledged record is stored once at a dense offset and read
 * once, as Kafka's system tests use them; bad arguments are refused in one line.
 */
class VerifiableToolsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static TestBroker broker;

  private record Result(int exit, List<JsonNode> events, String out, String err) {
    List<JsonNode> named(String name) {
      return events.stream().filter(e -> e.get("name").asText().equals(name)).toList();
    }
  }

  /** A produced or consumed record: where it is and what it holds. */
  private record Placed(int partition, long offset, String value) {}

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** Runs a verifiable tool in this JVM with {@code --bootstrap}; every stdout line must be a JSON object. */
  private static Result cli(String... args) {
    Result r = run(args);
    return new Result(r.exit(), parse(r.out().lines().toList()), r.out(), r.err());
  }

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--bootstrap", broker.bootstrap()));
    int exit = TributaryCli.run(new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err),
        all.toArray(String[]::new));
    return new Result(exit, List.of(), out.toString(), err.toString());
  }

  private static List<JsonNode> parse(List<String> lines) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      try {
        JsonNode e = JSON.readTree(line);
        assertTrue(e.isObject() && e.get("timestamp").isNumber() && e.get("name").isTextual(), line);
        events.add(e);
      } catch (java.io.IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    return events;
  }

  private static void createTopic(String name, int partitions) {
    Result created = run("topic", "create", name, "--partitions", Integer.toString(partitions));
    assertEquals(0, created.exit(), created.err());
  }

  /** The producer's acknowledged records, checked: each value once, offsets dense from 0 per partition. */
  private static List<Placed> assertAcknowledgedOnceDense(Result produced, long n) {
    List<Placed> acked = produced.named("producer_send_success").stream()
        .map(e -> new Placed(e.get("partition").asInt(), e.get("offset").asLong(), e.get("value").asText())).toList();
    assertEquals(n, acked.size(), "one success per record");
    Map<Integer, List<Long>> offsets = new TreeMap<>();
    acked.forEach(p -> offsets.computeIfAbsent(p.partition(), k -> new ArrayList<>()).add(p.offset()));
    offsets.forEach((partition, list) -> assertEquals(
        LongStream.range(0, list.size()).boxed().toList(), list.stream().sorted().toList(),
        "dense offsets from 0 in partition " + partition));
    return acked;
  }

  @Test
  void everyAcknowledgedRecordIsReadOnceAndCommittedToTheEnd() {
    int n = 600;
    createTopic("verified", 3);
    Result produced = cli("verifiable-producer", "--topic", "verified", "--max-messages", Integer.toString(n));
    assertEquals(0, produced.exit(), produced.err());
    List<JsonNode> events = produced.events();
    assertEquals("startup_complete", events.get(0).get("name").asText());
    assertEquals("tool_data", events.get(events.size() - 2).get("name").asText());
    assertEquals("shutdown_complete", events.get(events.size() - 1).get("name").asText());
    assertTrue(produced.named("producer_send_error").isEmpty(), produced.out());
    List<Placed> acked = assertAcknowledgedOnceDense(produced, n);
    assertEquals(Set.copyOf(LongStream.range(0, n).mapToObj(Long::toString).toList()),
        acked.stream().map(Placed::value).collect(Collectors.toSet()), "the values 0..N-1, each once");
    for (JsonNode e : produced.named("producer_send_success")) {
      assertTrue(e.get("key").isNull(), "no keys without --repeating-keys: " + e);
      assertEquals("verified", e.get("topic").asText());
    }
    JsonNode toolData = events.get(events.size() - 2);
    assertEquals(n, toolData.get("sent").asLong());
    assertEquals(n, toolData.get("acked").asLong());
    assertEquals(-1, toolData.get("target_throughput").asLong());
    assertTrue(toolData.get("avg_throughput").isNumber(), toolData.toString());

    Result consumed = cli("verifiable-consumer", "--topic", "verified", "--group-id", "checkers", "--verbose",
        "--max-messages", Integer.toString(n));
    assertEquals(0, consumed.exit(), consumed.err());
    assertEquals("startup_complete", consumed.events().get(0).get("name").asText());
    assertEquals("shutdown_complete", consumed.events().get(consumed.events().size() - 1).get("name").asText());
    Set<Integer> assigned = new HashSet<>();
    consumed.named("partitions_assigned").forEach(e -> e.get("partitions").forEach(tp -> {
      assertEquals("verified", tp.get("topic").asText());
      assigned.add(tp.get("partition").asInt());
    }));
    assertEquals(Set.of(0, 1, 2), assigned, "the only member gets every partition");

    List<Placed> read = consumed.named("record_data").stream()
        .map(e -> new Placed(e.get("partition").asInt(), e.get("offset").asLong(), e.get("value").asText())).toList();
    assertEquals(n, read.size(), "N records read");
    assertEquals(Set.copyOf(acked), Set.copyOf(read), "every acknowledged (partition, offset, value) read");
    assertEquals(n, Set.copyOf(read).size(), "none read twice");
    assertEquals(n, consumed.named("records_consumed").stream().mapToLong(e -> e.get("count").asLong()).sum());
    for (JsonNode poll : consumed.named("records_consumed")) {
      long sum = 0;
      for (JsonNode p : poll.get("partitions")) {
        assertEquals(p.get("maxOffset").asLong() - p.get("minOffset").asLong() + 1, p.get("count").asLong(), poll.toString());
        sum += p.get("count").asLong();
      }
      assertEquals(poll.get("count").asLong(), sum, poll.toString());
    }

    Map<Integer, Long> lastCommitted = new HashMap<>();
    for (JsonNode commit : consumed.named("offsets_committed")) {
      assertTrue(commit.get("success").asBoolean(), commit.toString());
      assertNull(commit.get("error"), commit.toString());
      commit.get("offsets").forEach(o -> lastCommitted.merge(o.get("partition").asInt(), o.get("offset").asLong(), Math::max));
    }
    Map<Integer, Long> ends = acked.stream().collect(Collectors.groupingBy(Placed::partition, Collectors.counting()));
    assertEquals(ends, lastCommitted, "the commits reach the end of every partition");
  }

  @Test
  void throughputPrefixAndRepeatingKeysShapeWhatIsSent() {
    int n = 40;
    createTopic("shaped", 4);
    Result produced = cli("verifiable-producer", "--topic", "shaped", "--max-messages", Integer.toString(n),
        "--throughput", "400", "--value-prefix", "7", "--repeating-keys", "3", "--acks", "leader");
    assertEquals(0, produced.exit(), produced.err());
    List<Placed> acked = assertAcknowledgedOnceDense(produced, n);
    assertEquals(Set.copyOf(LongStream.range(0, n).mapToObj(i -> "7." + i).toList()),
        acked.stream().map(Placed::value).collect(Collectors.toSet()), "prefixed values, each once");
    Map<String, Set<Integer>> partitionsByKey = new HashMap<>();
    for (JsonNode e : produced.named("producer_send_success")) {
      long i = Long.parseLong(e.get("value").asText().substring(2));
      assertEquals(Long.toString(i % 3), e.get("key").asText(), "keys 0, 1, 2, 0, ...: " + e);
      partitionsByKey.computeIfAbsent(e.get("key").asText(), k -> new HashSet<>()).add(e.get("partition").asInt());
    }
    partitionsByKey.forEach((key, partitions) -> assertEquals(1, partitions.size(), "key " + key + " in one partition"));
    JsonNode toolData = produced.named("tool_data").get(0);
    assertEquals(400, toolData.get("target_throughput").asLong());
    assertEquals(n, toolData.get("acked").asLong());
  }

  @Test
  void badArgumentsAreOneErrorLineAndANonZeroExit() {
    assertRefused(cli("verifiable-producer", "--max-messages", "1"), "--topic");
    assertRefused(cli("verifiable-consumer", "--topic", "verified"), "--group-id");
    assertRefused(cli("verifiable-producer", "--topic", "verified", "--acks", "2"), "--acks must be leader or all, got '2'");
    assertRefused(cli("verifiable-producer", "--topic", "verified", "--throughput", "0"), "--throughput");
    assertRefused(cli("verifiable-producer", "--topic", "verified", "--value-prefix", "x"), "--value-prefix");
    assertRefused(cli("verifiable-consumer", "--topic", "verified", "--group-id", "g", "--reset-policy", "none"),
        "--reset-policy must be earliest or latest");
    assertRefused(cli("verifiable-producer", "--topic", "nope", "--max-messages", "1"), "UNKNOWN_TOPIC_OR_PARTITION");
    assertRefused(cli("verifiable-consumer", "--topic", "nope", "--group-id", "g"), "UNKNOWN_TOPIC_OR_PARTITION");
  }

  /**
   * README: bad arguments and unknown topics give one line on stderr (a usage error ends with
   * where the help is) and a non-zero exit; nothing on stdout claims a start.
   */
  private static void assertRefused(Result r, String mention) {
    assertNotEquals(0, r.exit(), "exit code; stderr: " + r.err());
    assertTrue(r.out().isEmpty(), "no events: " + r.out());
    List<String> errors = r.err().lines().filter(l -> l.startsWith("error: ")).toList();
    assertEquals(1, errors.size(), r.err());
    assertTrue(errors.get(0).contains(mention), "names " + mention + ": " + r.err());
    assertTrue(r.err().lines().noneMatch(l -> l.startsWith("\tat ")), "no stack trace: " + r.err());
  }

  /**
   * Until stopped, in a child JVM as a user runs it: SIGTERM stops the producer cleanly. It
   * flushes, every record sent has its outcome printed, and the summary counts them.
   */
  @Test
  void sigtermStopsTheProducerAfterItFlushed() throws Exception {
    createTopic("endless", 2);
    Child producer = Child.start(dir, "verifiable-producer", "--topic", "endless", "--throughput", "500",
        "--bootstrap", broker.bootstrap());
    List<JsonNode> produced = producer.stopAfter(e -> e.get("name").asText().equals("producer_send_success"), 50);
    assertEquals("startup_complete", produced.get(0).get("name").asText());
    assertEquals("tool_data", produced.get(produced.size() - 2).get("name").asText(),
        () -> "the last events: " + produced.subList(Math.max(0, produced.size() - 4), produced.size()) + "; stderr: " + producer.errOrNone());
    assertEquals("shutdown_complete", produced.get(produced.size() - 1).get("name").asText());
    JsonNode toolData = produced.get(produced.size() - 2);
    Result asResult = new Result(0, produced, "", "");
    long acked = asResult.named("producer_send_success").size();
    assertTrue(acked >= 50, "kept going until stopped");
    assertEquals(acked, toolData.get("acked").asLong(), "every acknowledged record was printed");
    assertEquals(toolData.get("sent").asLong(), acked + asResult.named("producer_send_error").size(),
        "every record sent has its outcome: the stop flushed");
    assertEquals(500, toolData.get("target_throughput").asLong());
    assertAcknowledgedOnceDense(asResult, acked);
  }

  /**
   * Until stopped, in a child JVM: the consumer reads and commits as it goes, and SIGTERM makes it
   * give its partitions up and say so; what it committed is the end of every partition.
   */
  @Test
  void sigtermStopsTheConsumerWithEverythingCommitted() throws Exception {
    int n = 90;
    createTopic("endless-read", 2);
    Result produced = cli("verifiable-producer", "--topic", "endless-read", "--max-messages", Integer.toString(n));
    assertEquals(0, produced.exit(), produced.err());
    List<Placed> acked = assertAcknowledgedOnceDense(produced, n);

    Child consumer = Child.start(dir, "verifiable-consumer", "--topic", "endless-read", "--group-id", "endless-readers",
        "--bootstrap", broker.bootstrap());
    List<JsonNode> consumed = consumer.stopAfter(e -> false, 1, events -> committedTotal(events) >= n);
    assertEquals("startup_complete", consumed.get(0).get("name").asText());
    assertEquals("shutdown_complete", consumed.get(consumed.size() - 1).get("name").asText(), consumer::errOrNone);
    assertEquals("partitions_revoked", consumed.get(consumed.size() - 2).get("name").asText(),
        "it gave its partitions up when stopped");
    Map<Integer, Long> ends = acked.stream().collect(Collectors.groupingBy(Placed::partition, Collectors.counting()));
    assertEquals(ends, committedPerPartition(consumed), "committed up to the end of every partition");
    assertEquals(n, new Result(0, consumed, "", "").named("records_consumed").stream()
        .mapToLong(e -> e.get("count").asLong()).sum(), "each record once");
  }

  /** The highest offset each partition's successful commits reached. */
  private static Map<Integer, Long> committedPerPartition(List<JsonNode> events) {
    Map<Integer, Long> committed = new HashMap<>();
    events.stream().filter(e -> e.get("name").asText().equals("offsets_committed") && e.get("success").asBoolean())
        .forEach(c -> c.get("offsets").forEach(o ->
            committed.merge(o.get("partition").asInt(), o.get("offset").asLong(), Math::max)));
    return committed;
  }

  private static long committedTotal(List<JsonNode> events) {
    return committedPerPartition(events).values().stream().mapToLong(Long::longValue).sum();
  }

  /** {@code tributary ...} in a child JVM whose stdout is read line by line as it comes. */
  private static final class Child {
    private final Process process;
    private final Path err;
    private final List<JsonNode> events = new ArrayList<>();
    private final Thread reader;

    private Child(Process process, Path err) {
      this.process = process;
      this.err = err;
      this.reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = in.readLine()) != null; ) {
            JsonNode e;
            try {
              e = parse(List.of(line)).get(0);
            } catch (AssertionError notJson) {
              e = JSON.createObjectNode().put("timestamp", 0).put("name", "NOT JSON: " + line);
            }
            synchronized (events) {
              events.add(e);
              events.notifyAll();
            }
          }
        } catch (java.io.IOException e) {
          // the child is gone
        }
      });
      reader.start();
    }

    static Child start(Path workDir, String... args) throws java.io.IOException {
      Path err = Files.createTempFile(workDir, "child", ".err");
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), TributaryCli.class.getName()));
      command.addAll(List.of(args));
      return new Child(new ProcessBuilder(command).directory(workDir.toFile())
          .redirectError(err.toFile()).start(), err);
    }

    String err() throws java.io.IOException {
      return Files.readString(err);
    }

    String errOrNone() {
      try {
        return err();
      } catch (java.io.IOException e) {
        return e.toString();
      }
    }

    List<JsonNode> stopAfter(Predicate<JsonNode> counted, int count) throws Exception {
      return stopAfter(counted, count, events -> false);
    }

    /**
     * Waits until {@code count} events match {@code counted} or {@code enough} holds, sends
     * SIGTERM, and returns every event once the child has exited. The bound is for a hang only.
     */
    List<JsonNode> stopAfter(Predicate<JsonNode> counted, int count, Predicate<List<JsonNode>> enough) throws Exception {
      long deadline = System.nanoTime() + ChildCli.LIMIT.toNanos();
      try {
        synchronized (events) {
          while (events.stream().filter(counted).count() < count && !enough.test(events)) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !process.isAlive()) {
              throw new AssertionError("not there: " + events + "; stderr: " + err());
            }
            events.wait(Math.min(200, left / 1_000_000 + 1));
          }
        }
        // SIGTERM through the handle: Process.destroy() would also close our end of its stdout, and
        // what the child prints while it stops would be lost.
        process.toHandle().destroy();
        assertTrue(process.waitFor(ChildCli.LIMIT.toSeconds(), TimeUnit.SECONDS), "exits after SIGTERM: " + err());
        reader.join(10_000);
        assertFalse(err().lines().anyMatch(l -> l.startsWith("\tat ")), "no stack trace: " + err());
        synchronized (events) {
          assertTrue(events.stream().noneMatch(e -> e.get("name").asText().startsWith("NOT JSON")), "only JSON lines: " + events);
          return List.copyOf(events);
        }
      } finally {
        process.destroyForcibly();
      }
    }
  }
}
