package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.TestBroker;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract the README relies on, run in-process against a real broker. */
class CliTest {

  @TempDir static Path dir;
  private static TestBroker broker;

  private record Result(int exit, String out, String err) {}

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** Runs the CLI in this JVM on streams of its own: nothing global is swapped. */
  private static Result run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TributaryCli.run(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }

  private String[] withBootstrap(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--bootstrap";
    all[args.length + 1] = broker.bootstrap();
    return all;
  }

  private Result cli(String... args) {
    return run("", withBootstrap(args));
  }

  @Test
  void compressedProducesReadBackUnchanged() {
    assertEquals(0, cli("topic", "create", "squeezed", "--partitions", "1").exit());
    for (String codec : List.of("gzip", "snappy", "lz4", "zstd")) {
      Result produced = run(codec + ":packed with " + codec + "\n",
          withBootstrap("produce", "squeezed", "--key-separator", ":", "--compression", codec));
      assertEquals(0, produced.exit(), produced.err());
    }
    Result consumed = cli("consume", "squeezed", "--from-beginning", "--max-messages", "4", "--format", "%k=%s\n");
    assertEquals("gzip=packed with gzip\nsnappy=packed with snappy\nlz4=packed with lz4\nzstd=packed with zstd\n",
        consumed.out(), consumed.err());
  }

  @Test
  void theReadmeTourWorks() {
    Result created = cli("topic", "create", "greetings", "--partitions", "3");
    assertEquals(0, created.exit(), created.err());
    assertEquals("Created topic greetings with 3 partitions.\n", created.out());
    assertTrue(cli("topic", "list").out().lines().anyMatch("greetings"::equals));

    Result produced = run("alice:hello\nbob:hi there\ncarol:hey\n",
        withBootstrap("produce", "greetings", "--key-separator", ":"));
    assertEquals(0, produced.exit(), produced.err());

    Result consumed = cli("consume", "greetings", "--from-beginning", "--max-messages", "3", "--format", "%p %o %k=%s\\n");
    assertEquals(0, consumed.exit(), consumed.err());
    assertEquals(
        java.util.Set.of("0 0 alice=hello", "0 1 bob=hi there", "2 0 carol=hey"),
        java.util.Set.copyOf(consumed.out().lines().toList()), "partition, offset, key and value of each record");

    Result one = cli("consume", "greetings", "--partition", "0", "--offset", "1", "--max-messages", "1",
        "--format", "%t/%p/%o %s\\n");
    assertEquals("greetings/0/1 hi there\n", one.out());

    Result described = cli("topic", "describe", "greetings");
    assertEquals(0, described.exit());
    assertTrue(described.out().contains("Partitions: 3"), described.out());
    assertTrue(described.out().contains("HighWatermark: 2"), described.out());
    assertTrue(described.out().contains("\tReplicationFactor: 1\t"), described.out());
    assertTrue(described.out().lines().anyMatch(l -> l.startsWith("\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\t"
        + "LogStartOffset: 0\tHighWatermark: ")), "Kafka's shape, broker ids:\n" + described.out());
    assertEquals("", cli("topic", "describe", "greetings", "--under-replicated").out().lines()
        .filter(l -> l.startsWith("\tPartition:")).reduce("", String::concat), "every replica in sync");
    Result tooMany = cli("topic", "create", "copies", "--partitions", "1", "--replication-factor", "2");
    assertEquals(1, tooMany.exit(), tooMany.err());
    assertTrue(tooMany.err().contains("INVALID_REPLICATION_FACTOR"), tooMany.err());

    assertEquals(0, cli("topic", "delete", "greetings").exit());
    assertTrue(cli("topic", "list").out().lines().noneMatch("greetings"::equals));
    assertEquals(0, cli("topic", "create", "greetings", "--partitions", "1").exit(), "the name can be created again");
    Result empty = cli("topic", "describe", "greetings");
    assertTrue(empty.out().contains("HighWatermark: 0"), "a re-created topic is empty: " + empty.out());
  }

  @Test
  void groupsAreListedDescribedResetAndDeletedFromTheCommandLine() {
    assertEquals(0, cli("topic", "create", "orders", "--partitions", "2").exit());
    assertEquals(0, run("a:1\nb:2\nc:3\n", withBootstrap("produce", "orders", "--key-separator", ":")).exit());
    Result consumed = cli("consume", "orders", "--group", "billing", "--from-beginning", "--max-messages", "3");
    assertEquals(0, consumed.exit(), consumed.err());
    assertEquals(3, consumed.out().lines().count());

    assertTrue(cli("group", "list").out().lines().anyMatch("billing"::equals), "the group is listed");
    assertEquals(0, totalLag(cli("group", "describe", "billing")), "everything read was committed");

    Result reset = cli("group", "reset-offsets", "billing", "--topic", "orders", "--to-earliest");
    assertEquals(0, reset.exit(), reset.err());
    assertEquals(3, totalLag(cli("group", "describe", "billing")), "back at the start, all three are lag again");

    Result included = cli("consume", "--include", "ord.*", "--group", "auditors", "--from-beginning", "--max-messages", "3");
    assertEquals(0, included.exit(), included.err());
    assertEquals(3, included.out().lines().count(), "a pattern subscription reads the matching topic");
    Result noGroup = cli("consume", "--include", "ord.*");
    assertEquals(2, noGroup.exit(), "a usage error");
    assertTrue(noGroup.err().contains("--include needs --group"), noGroup.err());

    assertEquals(0, cli("group", "delete", "billing").exit());
    assertTrue(cli("group", "list").out().lines().noneMatch("billing"::equals), "a deleted group is not listed");
  }

  /** The sum of the LAG column of {@code group describe}'s partition table. */
  private static long totalLag(Result described) {
    assertEquals(0, described.exit(), described.err());
    List<String> lines = described.out().lines().toList();
    int header = lines.indexOf("TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER");
    assertTrue(header >= 0, described.out());
    return lines.subList(header + 1, lines.size()).stream().mapToLong(l -> Long.parseLong(l.split("\t")[4])).sum();
  }

  @Test
  void badArgumentsAndErrorsGiveOneLineAndANonZeroExit() {
    Result badName = cli("topic", "create", "a/b", "--partitions", "1");
    assertEquals(2, badName.exit(), "the broker's naming rules, checked before connecting");
    assertEquals(1, badName.err().lines().count(), badName.err());
    assertTrue(badName.err().startsWith("error: NAME 'a/b' is not a valid topic name"), badName.err());

    Result missingOption = cli("topic", "create", "x");
    assertEquals(2, missingOption.exit(), "picocli's usage error");
    assertTrue(missingOption.err().contains("--partitions"), missingOption.err());

    Result unknownTopic = cli("consume", "nope", "--max-messages", "1");
    assertEquals(1, unknownTopic.exit());
    assertTrue(unknownTopic.err().contains("UNKNOWN_TOPIC_OR_PARTITION"), unknownTopic.err());

    Result produceUnknown = run("x\n", withBootstrap("produce", "nope"));
    assertEquals(1, produceUnknown.exit());

    Result badAcks = run("x\n", withBootstrap("produce", "nope", "--acks", "some"));
    assertEquals(2, badAcks.exit());
    assertTrue(badAcks.err().contains("--acks must be leader or all"), badAcks.err());

    Result badFormat = cli("consume", "nope", "--format", "%q");
    assertEquals(2, badFormat.exit());
    assertTrue(badFormat.err().contains("unknown format token"), badFormat.err());

    Result unreachable = run("", "topic", "list", "--bootstrap", "127.0.0.1:1");
    assertEquals(1, unreachable.exit());
    assertTrue(unreachable.err().contains("is a broker running there?"), unreachable.err());

    Result badBootstrap = run("", "topic", "list", "--bootstrap", "localhost");
    assertEquals(2, badBootstrap.exit());
    assertTrue(badBootstrap.err().contains("is not HOST:PORT"), badBootstrap.err());
  }

  /** rpk's offsets: where each form starts, in one partition and in all of them. */
  @Test
  void rpkStyleOffsetsStartWhereTheySay() {
    assertEquals(0, cli("topic", "create", "ledger", "-p", "2").exit());
    long before = System.currentTimeMillis();
    assertEquals(0, run("a:0\na:1\na:2\na:3\n", withBootstrap("produce", "ledger", "--key-separator", ":")).exit());
    int p = Integer.parseInt(cli("consume", "ledger", "-o", "start", "-n", "1", "-f", "%p").out());
    String partition = Integer.toString(p);
    assertEquals("0 1 2 3 ", cli("consume", "ledger", "-p", partition, "-o", "start", "-n", "4", "-f", "%o ").out());
    assertEquals("2 3 ", cli("consume", "ledger", "-p", partition, "-o", "2", "-n", "2", "-f", "%o ").out());
    assertEquals("1 2 ", cli("consume", "ledger", "-p", partition, "-o", "+1", "-n", "2", "-f", "%o ").out());
    assertEquals("3 ", cli("consume", "ledger", "-p", partition, "-o", "-1", "-n", "1", "-f", "%o ").out());
    assertEquals("0 ", cli("consume", "ledger", "-p", partition, "-o", "-10", "-n", "1", "-f", "%o ").out(),
        "more than the log holds: from its start");
    assertEquals("0 ", cli("consume", "ledger", "-p", partition, "-o", "@" + (before - 60_000), "-n", "1", "-f", "%o ").out());
    assertEquals("2 3 ", cli("consume", "ledger", "-o", "-2", "-n", "2", "-f", "%o ").out(),
        "without --partition, in every partition (the other one is empty)");
    assertEquals("0 ", cli("consume", "ledger", "--from-beginning", "-n", "1", "-f", "%o ").out());
  }

  /**
   * A record the broker refused was not stored, and the CLI says so; one that got no answer may
   * or may not have been, and the CLI says that instead (the unanswered case against a broker
   * that is away is TwoBrokerTest's; here only the sentence).
   */
  @Test
  void produceSaysNotStoredOnlyWhenTheRecordWasRefused() {
    assertEquals(0, cli("topic", "create", "small", "--partitions", "1", "--config", "max.message.bytes=1024").exit());
    Result refused = run("x".repeat(2_000) + "\n", withBootstrap("produce", "small"));
    assertEquals(1, refused.exit());
    assertTrue(refused.err().startsWith("error: line 1 was not stored: RECORD_TOO_LARGE"), refused.err());

    String unanswered = ProduceCommand.failure(3, new java.util.concurrent.CompletionException(
        new dev.tributary.client.NotAcknowledgedException(dev.tributary.protocol.ErrorCode.REQUEST_TIMED_OUT,
            "no answer from 127.0.0.1:25520 within 35000 ms")));
    assertTrue(unanswered.startsWith("line 3 was not acknowledged: REQUEST_TIMED_OUT"), unanswered);
    assertTrue(unanswered.contains("it may or may not have been stored"), unanswered);
  }
}
