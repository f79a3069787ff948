package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers in one JVM (broker 0 the controller's only voter): topics with three replicas,
 * followers copying their leader, the ISR and high watermark, and a leader stopping cleanly with
 * nothing acknowledged lost. Crashes (kill -9, pauses) are in the child-JVM tests.
 */
@RunsAlone
class ReplicationTest {

  @TempDir Path dir0;
  @TempDir Path dir1;
  @TempDir Path dir2;

  private TestBroker start(int id, int port, int seedPort) {
    return start(id, port, seedPort, Map.of());
  }

  private TestBroker start(int id, int port, int seedPort, Map<String, Object> overrides) {
    Path dir = id == 0 ? dir0 : id == 1 ? dir1 : dir2;
    List<String> seeds = id == 0 ? List.of() : List.of("127.0.0.1:" + seedPort);
    return TestBroker.start(new BrokerSettings(dir, id, "127.0.0.1", port, seeds, overrides));
  }

  /**
   * A follower's log start follows its leader's when the leader deletes records below a group
   * log's snapshot: the group log is bounded on every replica, not only on the leader.
   */
  @Test
  void followersDeleteTheGroupLogBelowTheirLeadersLogStart() throws Exception {
    Map<String, Object> groups = Map.of("tributary.groups.replication-factor", 3, "tributary.groups.partitions", 1,
        "tributary.groups.snapshot-every", 20, "tributary.groups.segment-bytes", 512);
    int p0 = TestBroker.freePort();
    List<TestBroker> brokers = new ArrayList<>();
    try {
      brokers.add(start(0, p0, p0, groups));
      brokers.add(start(1, TestBroker.freePort(), p0, groups));
      brokers.add(start(2, TestBroker.freePort(), p0, groups));
      try (TributaryClient client = brokers.get(0).client()) {
        awaitRegistered(client, 3);
        dev.tributary.client.TopicPartition t0 = new dev.tributary.client.TopicPartition("t", 0);
        for (int i = 1; i <= 200; i++) {
          long offset = i;
          var reset = await(client.<dev.tributary.protocol.message.GroupRequest.OffsetsResponse>group(replyTo ->
              new dev.tributary.protocol.message.GroupRequest.ResetOffsets("g",
                  List.of(new dev.tributary.protocol.message.GroupRequest.CommittedOffset(t0, offset, "")), replyTo)));
          assertEquals(ErrorCode.NONE, reset.error(), reset.toString());
        }
        PartitionInfo log = awaitPartition(client, dev.tributary.protocol.GroupPartitions.TOPIC, 0,
            p -> p.isr().size() == 3);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int id = 0; id < brokers.size(); id++) {
          var engine = dev.tributary.journal.JournalExtension.get(
              org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(brokers.get(id).broker().system())).engine();
          long start;
          while ((start = await(engine.logInfo("__groups-0")).logStartOffset()) <= 0) {
            assertTrue(System.nanoTime() < deadline, "broker " + id + "'s copy of __groups-0 (led by broker "
                + log.leader() + ") still starts at " + start);
            Thread.sleep(100);
          }
        }
      }
    } finally {
      for (TestBroker b : brokers) {
        b.close();
      }
    }
  }

  @Test
  void followersCopyEveryAcknowledgedRecordAndANewLeaderServesThemAll() throws Exception {
    int p0 = TestBroker.freePort();
    int p1 = TestBroker.freePort();
    int p2 = TestBroker.freePort();
    TestBroker b0 = start(0, p0, p0);
    TestBroker b1 = start(1, p1, p0);
    TestBroker b2 = start(2, p2, p0);
    List<TestBroker> brokers = new ArrayList<>(List.of(b0, b1, b2));
    try (TributaryClient client = b0.client()) {
      awaitRegistered(client, 3);
      await(client.createTopic("copied", 3, 3, Map.of("min.insync.replicas", "2")));
      PartitionInfo created = partition(client, "copied", 1);
      assertEquals(3, created.replicas().size(), "three replicas: " + created);
      try (Producer producer = new Producer(client, ProducerSettings.defaults().withAcks(Acks.ALL))) {
        for (int i = 0; i < 1_000; i++) {
          producer.send("copied", 1, null, ("v" + i).getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis());
        }
        await(producer.flush());
      }
      PartitionInfo before = awaitPartition(client, "copied", 1, p -> p.isr().size() == 3);
      int oldLeader = before.leader();
      assertNotEquals(-1, oldLeader);
      if (oldLeader == 0) { // the controller's broker: keep it; move leadership by stopping another partition's leader
        oldLeader = partition(client, "copied", 0).leader() == 0 ? partition(client, "copied", 2).leader()
            : partition(client, "copied", 0).leader();
      }
      int stopped = oldLeader;
      brokers.get(stopped).close();
      // Partition 1's leader may or may not have been the stopped broker; either way it is led by a
      // broker that was in its ISR and serves all 1,000 records at their offsets.
      PartitionInfo after = awaitPartition(client, "copied", 1, p -> p.leader() >= 0 && p.leader() != stopped);
      assertTrue(before.isr().contains(after.leader()), "elected from the ISR " + before.isr() + ": " + after);
      List<String> values = readAll(client, "copied", 1, 1_000);
      for (int i = 0; i < 1_000; i++) {
        assertEquals("v" + i, values.get(i), "offset " + i);
      }
    } finally {
      for (TestBroker b : brokers) {
        b.close();
      }
    }
  }

  private static void awaitRegistered(TributaryClient client, int brokers) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (await(client.metadata()).brokers().size() < brokers) {
      assertTrue(System.nanoTime() < deadline, "brokers registered: " + await(client.metadata()).brokers());
      Thread.sleep(100);
    }
  }

  private static PartitionInfo partition(TributaryClient client, String topic, int partition) {
    return await(client.metadata()).topics().get(topic).partition(partition).orElseThrow();
  }

  private static PartitionInfo awaitPartition(TributaryClient client, String topic, int partition,
      Predicate<PartitionInfo> condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    PartitionInfo info = partition(client, topic, partition);
    while (!condition.test(info)) {
      assertTrue(System.nanoTime() < deadline, "partition " + partition + " is still " + info);
      Thread.sleep(100);
      info = partition(client, topic, partition);
    }
    return info;
  }

  /** Reads {@code count} records from offset 0, retrying while leadership settles. */
  private static List<String> readAll(TributaryClient client, String topic, int partition, int count)
      throws InterruptedException {
    List<String> values = new ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (values.size() < count) {
      assertTrue(System.nanoTime() < deadline, "read " + values.size() + " of " + count);
      FetchResponse fetched;
      try {
        fetched = await(client.fetch(topic, partition, values.size(), 1 << 20, Duration.ofMillis(200)));
      } catch (RuntimeException timedOut) {
        await(client.metadata());
        continue;
      }
      if (fetched.error() != ErrorCode.NONE) {
        Thread.sleep(100);
        await(client.metadata());
        continue;
      }
      for (RecordBatch batch : RecordBatch.split(fetched.records().asByteBuffer())) {
        long offset = batch.baseOffset();
        for (Record r : batch.records()) {
          if (offset++ >= values.size()) {
            values.add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
      }
    }
    return values;
  }
}
