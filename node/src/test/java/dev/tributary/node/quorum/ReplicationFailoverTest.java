package dev.tributary.node.quorum;

import dev.tributary.node.RunsAlone;
import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static dev.tributary.node.quorum.FailoverCluster.LIMIT;
import static dev.tributary.node.quorum.FailoverCluster.REJOIN_LIMIT;
import static dev.tributary.node.quorum.FailoverCluster.follower;
import static dev.tributary.node.quorum.FailoverCluster.without;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.NotAcknowledgedException;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.quorum.VerifiableEvents.Placed;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.Acks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follower replication end to end: three brokers in child JVMs ({@link FailoverCluster}); a topic of one partition on all three (replication factor
 * 3); {@code verifiable-producer} and {@code verifiable-consumer} in child JVMs as Kafka's system
 * tests run them.
 *
 * <p>Each test starts its own cluster and leaves every broker running again before it ends. Every
 * wait is a margin ({@link BrokerProcesses#eventually}), not a sleep. Leader, Isr, HighWatermark
 * and the controller are polled through one {@link TributaryClient} in this JVM per test
 * ({@link ClusterWatch}). The producers, consumers and admin changes run in child JVMs, as a user runs
 * them; the one refused write is an in-JVM {@link Producer} with a short delivery timeout. Every
 * {@code --bootstrap} lists all three brokers, so any may be down.
 */
@RunsAlone
class ReplicationFailoverTest {

  /**
   * How long reading back may be tried while a broker is down: a consumer group whose coordinator
   * was on it answers once its partition of the group log has a new leader (after the fencing)
   * and that leader's coordinator has loaded it.
   */
  private static final Duration GROUP_MOVE_LIMIT = Duration.ofSeconds(120);

  /** Records the producer under load sends, and its rate: about ten seconds of load. */
  private static final int LOAD = 5000;
  private static final int RATE = 500;

  /** Acknowledgements before the kill: the broker dies with the producer in full flow. */
  private static final int ACKED_BEFORE_KILL = 500;

  /**
   * The producer under load: ten seconds of records, plus a failover, plus (for a record caught by
   * the kill) up to its delivery timeout of 120 s of retries, plus JVM start-up.
   */
  private static final Duration PRODUCER_LIMIT = Duration.ofSeconds(240);

  /**
   * The refused write's delivery timeout: its producer retries NOT_ENOUGH_REPLICAS (retriable) that
   * long, then fails (the CLI's {@code produce} has no option for it, and waits Kafka's 120 s).
   */
  private static final Duration REFUSED_DELIVERY_TIMEOUT = Duration.ofSeconds(8);

  private static final String TOPIC = "replicated";

  private static final String IMBALANCE_CHECK = "tributary.controller.leader-imbalance-check-interval";

  @TempDir Path dir;

  // ------------------------------------------------------------------ 1

  @Test
  void killingALeaderUnderLoadLosesNoAcknowledgedRecord() {
    // The controller's periodic preferred-leader check every 2 s, not 300 s: once the killed
    // leader is back in the Isr, leadership must return to it (it is the preferred replica).
    try (BrokerProcesses brokers = FailoverCluster.start(dir, "-D" + IMBALANCE_CHECK + "=2s");
        ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, 1, 2);
      TopicDescription.Partition full = FailoverCluster.awaitFullIsr(watch, TOPIC, 0);
      int leader = full.leader().getAsInt();
      assertEquals(full.replicas().get(0), leader, "a new topic is led by its preferred replica: " + full);
      killUnderLoadAndCheck(brokers, watch, TOPIC, leader, "the leader");
      TopicDescription.Partition back = eventually(LIMIT, () -> {
        TopicDescription.Partition p = watch.partition(TOPIC);
        assertEquals(leader, p.leader().orElse(-1), "leadership not back at preferred replica " + leader + ": " + p);
        return p;
      });
      assertEquals(Set.copyOf(brokers.ids()), back.isrSet(), "every replica in sync under the preferred leader: " + back);
    }
  }

  // ------------------------------------------------------------------ 2

  @Test
  void killingTheControllersBrokerLosesNothing() {
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, 1, 2);
      int leader = FailoverCluster.awaitFullIsr(watch, TOPIC, 0).leader().getAsInt();
      int controller = watch.activeController();
      killUnderLoadAndCheck(brokers, watch, TOPIC, controller,
          "the active controller's broker (" + (controller == leader ? "also" : "not") + " the partition's leader)");
      // The quorum elected another controller, and the killed broker, back, is registered again.
      watch.activeController();
    }
  }

  // ------------------------------------------------------------------ 3

  @Test
  void aRestartedFollowerCatchesUpAndRejoins() {
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, 1, 2);
      TopicDescription.Partition full = FailoverCluster.awaitFullIsr(watch, TOPIC, 0);
      int leader = full.leader().getAsInt();
      int follower = follower(full);
      int n = 1000;

      List<Placed> first = produceAllAcknowledged(brokers, TOPIC, n, 1);
      assertEquals(LongStream.range(0, n).boxed().toList(), offsets(first), "the first records at offsets 0..n-1");

      brokers.kill9(follower);
      // The leader drops the dead follower from the Isr (else acks=all writes would wait for it).
      TopicDescription.Partition shrunk = eventually(LIMIT, () -> {
        TopicDescription.Partition p = watch.partition(TOPIC);
        assertFalse(p.isr().contains(follower), "killed follower " + follower + " still in the Isr: " + p);
        return p;
      });
      assertEquals(without(brokers.ids(), follower), shrunk.isrSet(), "only the killed follower left the Isr: " + shrunk);

      List<Placed> second = produceAllAcknowledged(brokers, TOPIC, n, 2);
      assertEquals(LongStream.range(n, 2L * n).boxed().toList(), offsets(second),
          "the records written while the follower was down follow the first ones");

      brokers.start(follower);
      TopicDescription.Partition rejoined = eventually(REJOIN_LIMIT, () -> {
        TopicDescription.Partition p = watch.partition(TOPIC);
        assertEquals(Set.copyOf(brokers.ids()), p.isrSet(), "restarted follower " + follower + " not back in the Isr: " + p);
        return p;
      });
      assertEquals(2L * n, rejoined.highWatermark(), "HighWatermark after the follower rejoined: " + rejoined);
      assertEquals(Set.copyOf(brokers.ids()), Set.copyOf(rejoined.replicas()), rejoined.toString());
      assertTrue(brokers.isRunning(leader), "the leader kept running");
    }
  }

  // ------------------------------------------------------------------ 4

  @Test
  void minInsyncThreeWithABrokerDownRefusesWrites() {
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, 1, 3);
      TopicDescription.Partition full = FailoverCluster.awaitFullIsr(watch, TOPIC, 0);
      int follower = follower(full);

      produceLines(brokers, TOPIC, "before\n").requireOk();
      eventually(LIMIT, () -> assertEquals(1, watch.partition(TOPIC).highWatermark()));

      brokers.kill9(follower);
      eventually(LIMIT, () -> {
        TopicDescription.Partition p = watch.partition(TOPIC);
        assertEquals(without(brokers.ids(), follower), p.isrSet(), "the Isr without killed follower " + follower + ": " + p);
      });

      // Two in sync, three needed: the acks=all write is refused before it is written. The producer
      // retries NOT_ENOUGH_REPLICAS (retriable) until its delivery timeout, then fails it for good,
      // as refused (not "may or may not have been stored").
      TributaryException refused = refusedWrite(watch.client(), TOPIC, "refused");
      assertEquals(ErrorCode.NOT_ENOUGH_REPLICAS, refused.code(), refused.toString());
      assertFalse(NotAcknowledgedException.mayHaveBeenStored(refused), "refused, not unanswered: " + refused);
      TopicDescription.Partition afterRefusal = watch.partition(TOPIC);
      assertEquals(1, afterRefusal.highWatermark(), "nothing written by the refused produce: " + afterRefusal);

      brokers.start(follower);
      eventually(REJOIN_LIMIT, () -> {
        TopicDescription.Partition p = watch.partition(TOPIC);
        assertEquals(Set.copyOf(brokers.ids()), p.isrSet(), "restarted follower " + follower + " not back in the Isr: " + p);
      });
      produceLines(brokers, TOPIC, "after\n").requireOk();
      eventually(LIMIT, () -> assertEquals(2, watch.partition(TOPIC).highWatermark()));

      // What is stored: the records before and after, and not the refused one.
      List<Placed> read = consume(brokers, TOPIC, "min-insync-checker", 2).read();
      assertEquals(List.of(new Placed(0, 0, "before"), new Placed(0, 1, "after")), read);
    }
  }

  // ------------------------------------------------------------------ the kill under load

  /**
   * Produces {@link #LOAD} records at {@link #RATE}/s with acks=all, kills broker {@code victim}
   * with kill -9 once {@link #ACKED_BEFORE_KILL} are acknowledged, lets the producer finish, and
   * reads the partition back: every acknowledged record is there once, at the offset it was
   * acknowledged with, nothing is there that was never sent, and the offsets are dense from 0.
   * Then restarts the victim and waits until it is back in the Isr.
   */
  private static void killUnderLoadAndCheck(BrokerProcesses brokers, ClusterWatch watch, String topic, int victim, String what) {
    // The read-back below is the cluster's first use of groups, while a broker is down.
    FailoverCluster.awaitGroupLog(watch);
    long ackedAtKill;
    BrokerProcesses.Result finished;
    try (BrokerProcesses.Background producer = brokers.cliInBackground("verifiable-producer", "--topic", topic,
        "--max-messages", Integer.toString(LOAD), "--throughput", Integer.toString(RATE), "--acks", "all",
        "--bootstrap", brokers.bootstrapAll())) {
      producer.awaitLines(l -> VerifiableEvents.isEvent(l, "producer_send_success"), ACKED_BEFORE_KILL, LIMIT);
      ackedAtKill = producer.lines().stream().filter(l -> VerifiableEvents.isEvent(l, "producer_send_success")).count();
      brokers.kill9(victim);
      finished = producer.await(PRODUCER_LIMIT);
    }
    finished.requireOk();
    VerifiableEvents produced = VerifiableEvents.parse(finished.out());
    List<JsonNode> events = produced.events();
    assertEquals("startup_complete", events.get(0).get("name").asText(), finished.toString());
    assertEquals("shutdown_complete", events.get(events.size() - 1).get("name").asText(), produced.last(5).toString());
    List<Placed> acked = produced.acknowledged();
    List<String> failed = produced.failedValues();
    JsonNode toolData = produced.toolData();
    assertEquals(LOAD, toolData.get("sent").asLong(), toolData.toString());
    assertEquals(acked.size(), toolData.get("acked").asLong(), "every acknowledgement was printed: " + toolData);
    assertEquals(LOAD, acked.size() + failed.size(), "every record sent has one outcome: " + toolData);
    // More than a second's worth after the kill: acknowledged by the new leader, not the dead one.
    assertTrue(acked.size() > ackedAtKill + RATE, acked.size() + " acknowledged in all, " + ackedAtKill
        + " when " + what + " (broker " + victim + ") was killed; failures: " + failed.size()
        + (failed.isEmpty() ? "" : ", the first: " + produced.named("producer_send_error").get(0)));
    assertAcknowledgementsConsistent(acked);

    // The partition has moved to a survivor, whose HighWatermark covers every acknowledged record.
    long mustCover = acked.stream().mapToLong(Placed::offset).max().orElseThrow() + 1;
    TopicDescription.Partition moved = eventually(LIMIT, () -> {
      TopicDescription.Partition p = watch.partition(topic);
      assertTrue(p.leader().isPresent(), "no leader: " + p);
      assertNotEquals(victim, p.leader().getAsInt(), "still led by killed broker " + victim + ": " + p);
      assertTrue(p.highWatermark() >= mustCover, "HighWatermark " + p.highWatermark() + " below the "
          + mustCover + " acknowledged offsets: " + p);
      return p;
    });
    long hw = moved.highWatermark();
    if (failed.isEmpty()) {
      // Every record sent was acknowledged, once (idempotence): the log holds those and no more.
      assertEquals(acked.size(), hw, "HighWatermark with every record acknowledged: " + moved);
    }

    // Everything below the HighWatermark, read back: --max-messages is the HighWatermark (not the
    // number of acknowledgements), so a record stored but never acknowledged is read, and checked, too.
    List<Placed> read = consumeWhileABrokerIsDown(brokers, topic, "checker", hw).read();
    assertReadBack(acked, read, hw);

    brokers.start(victim);
    TopicDescription.Partition rejoined = eventually(REJOIN_LIMIT, () -> {
      TopicDescription.Partition p = watch.partition(topic);
      assertEquals(Set.copyOf(brokers.ids()), p.isrSet(), "restarted broker " + victim + " not back in the Isr: " + p);
      return p;
    });
    // A record whose send failed as "may have been stored" may be committed later; nothing else is.
    if (failed.isEmpty()) {
      assertEquals(hw, rejoined.highWatermark(), "HighWatermark after broker " + victim + " rejoined: " + rejoined);
    } else {
      assertTrue(rejoined.highWatermark() >= hw, "HighWatermark went back after broker " + victim + " rejoined: " + rejoined);
    }
  }

  /** The acknowledgements themselves: partition 0, each value sent once, each offset once. */
  private static void assertAcknowledgementsConsistent(List<Placed> acked) {
    Set<Long> offsets = new HashSet<>();
    Set<String> values = new HashSet<>();
    for (Placed a : acked) {
      assertEquals(0, a.partition(), a.toString());
      assertTrue(offsets.add(a.offset()), "offset " + a.offset() + " acknowledged twice: " + a);
      assertTrue(values.add(a.value()), "value " + a.value() + " acknowledged twice: " + a);
      assertTrue(sentValue(a.value()), "acknowledged a value never sent: " + a);
    }
  }

  /**
   * What the consumer read, against what was acknowledged: offsets 0..hw-1, each once and in
   * order; every value one the producer sent, none twice; every acknowledged record read once,
   * at its acknowledged offset, with its value.
   */
  private static void assertReadBack(List<Placed> acked, List<Placed> read, long hw) {
    assertEquals(LongStream.range(0, hw).boxed().toList(), offsets(read),
        "the offsets read: dense from 0 to the HighWatermark " + hw + ", each once");
    Map<Long, String> byOffset = new HashMap<>();
    Map<String, Integer> timesRead = new HashMap<>();
    for (Placed r : read) {
      assertEquals(0, r.partition(), r.toString());
      assertTrue(sentValue(r.value()), "read a value never sent: " + r);
      byOffset.put(r.offset(), r.value());
      timesRead.merge(r.value(), 1, Integer::sum);
    }
    timesRead.forEach((value, times) -> assertEquals(1, times, "value " + value + " stored " + times + " times"));
    List<Placed> missing = acked.stream().filter(a -> !a.value().equals(byOffset.get(a.offset()))).toList();
    assertTrue(missing.isEmpty(), missing.size() + " acknowledged record(s) not read back at their offset, the first: "
        + missing.stream().limit(5).map(a -> a + " (read there: " + byOffset.get(a.offset()) + ")").toList());
  }

  /** A value the verifiable producer sends: "0", "1", ..., below {@link #LOAD}. */
  private static boolean sentValue(String value) {
    if (!value.matches("0|[1-9]\\d{0,8}")) {
      return false;
    }
    return Long.parseLong(value) < LOAD;
  }

  // ------------------------------------------------------------------ cluster

  /**
   * One record sent with acks=all by an idempotent producer in this JVM whose delivery timeout is
   * {@link #REFUSED_DELIVERY_TIMEOUT}; the exception it failed with (the test fails if it is stored).
   */
  private static TributaryException refusedWrite(TributaryClient client, String topic, String value) {
    ProducerSettings settings = ProducerSettings.defaults().withAcks(Acks.ALL)
        .withDeliveryTimeout(REFUSED_DELIVERY_TIMEOUT).withRequestTimeout(Duration.ofSeconds(5));
    try (Producer producer = new Producer(client, settings)) {
      CompletionStage<RecordMetadata> sent = producer.send(topic, 0, null, value.getBytes(StandardCharsets.UTF_8),
          List.of(), System.currentTimeMillis());
      try {
        RecordMetadata stored = sent.toCompletableFuture().get(
            REFUSED_DELIVERY_TIMEOUT.plus(TributaryClient.NO_ANSWER_GRACE).plusSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        return fail("the write was stored, at offset " + stored.offset() + ", with too few replicas in sync");
      } catch (ExecutionException e) {
        Throwable cause = Failures.cause(e);
        if (cause instanceof TributaryException t) {
          return t;
        }
        throw new AssertionError("the write failed, but not with a TributaryException", cause);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("no outcome of the refused write within its delivery timeout and then some", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  // ------------------------------------------------------------------ clients

  /**
   * {@code verifiable-producer} in a child JVM with acks=all, values "P.0".."P.n-1": every record
   * must be acknowledged; the acknowledgements, checked.
   */
  private static List<Placed> produceAllAcknowledged(BrokerProcesses brokers, String topic, int n, int valuePrefix) {
    BrokerProcesses.Result r = brokers.cli("verifiable-producer", "--topic", topic, "--max-messages",
        Integer.toString(n), "--acks", "all", "--value-prefix", Integer.toString(valuePrefix),
        "--bootstrap", brokers.bootstrapAll()).requireOk();
    VerifiableEvents produced = VerifiableEvents.parse(r.out());
    assertTrue(produced.named("producer_send_error").isEmpty(), "every record acknowledged: " + r);
    List<Placed> acked = produced.acknowledged();
    assertEquals(n, acked.size(), "one producer_send_success per record: " + produced.toolData());
    assertEquals(LongStream.range(0, n).mapToObj(i -> valuePrefix + "." + i).collect(Collectors.toSet()),
        acked.stream().map(Placed::value).collect(Collectors.toSet()), "the values P.0..P.n-1, each once");
    assertEquals(n, new HashSet<>(offsets(acked)).size(), "each at an offset of its own");
    return acked.stream().sorted(Comparator.comparingLong(Placed::offset)).toList();
  }

  /** {@code tributary produce TOPIC --acks all} in a child JVM, {@code lines} on its standard input. */
  private static BrokerProcesses.Result produceLines(BrokerProcesses brokers, String topic, String lines) {
    return brokers.cliWithInput(lines, BrokerProcesses.CLI_LIMIT, "produce", topic, "--acks", "all",
        "--bootstrap", brokers.bootstrapAll());
  }

  /** {@code verifiable-consumer --verbose} in a child JVM, a fresh group from the earliest offset, until {@code max} records. */
  private static VerifiableEvents consume(BrokerProcesses brokers, String topic, String group, long max) {
    BrokerProcesses.Result r = brokers.cli("verifiable-consumer", "--topic", topic, "--group-id", group,
        "--max-messages", Long.toString(max), "--reset-policy", "earliest", "--verbose",
        "--bootstrap", brokers.bootstrapAll()).requireOk();
    VerifiableEvents events = VerifiableEvents.parse(r.out());
    assertEquals(max, events.named("records_consumed").stream().mapToLong(e -> e.get("count").asLong()).sum(),
        "records_consumed counts: " + r);
    return events;
  }

  /**
   * {@link #consume} while a broker is down, tried again, each time in a group of its own (so no
   * offsets a failed try committed are picked up), until it succeeds or {@link #GROUP_MOVE_LIMIT}
   * has passed.
   */
  private static VerifiableEvents consumeWhileABrokerIsDown(BrokerProcesses brokers, String topic, String group, long max) {
    int[] attempt = {0};
    return eventually(GROUP_MOVE_LIMIT, () -> consume(brokers, topic, group + "-" + (++attempt[0]), max));
  }

  private static List<Long> offsets(List<Placed> placed) {
    return placed.stream().map(Placed::offset).toList();
  }
}
