package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.ListOffsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group log {@code __groups} on a real single broker: it is not created with fewer brokers
 * than its replication factor, and it does not grow without bound.
 */
class GroupLogTest {

  private static final Duration LIMIT = Duration.ofSeconds(30);
  private static final int COMMITS = 150;

  @TempDir Path dir;

  @Test
  void withFewerBrokersThanItsReplicationFactorGroupRequestsAreRefusedSayingWhy() {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.groups.replication-factor", 3);
    try (TestBroker broker = TestBroker.start(settings);
        TributaryClient client = TributaryClient.connect(broker.bootstrap(), Duration.ofSeconds(2))) {
      GroupRequest.GroupDescription d = TestBroker.await(client.<GroupRequest.GroupDescription>group(
          replyTo -> new GroupRequest.Describe("early", replyTo)));
      assertEquals(ErrorCode.COORDINATOR_NOT_AVAILABLE, d.error(), d.toString());
      assertTrue(d.errorMessage().contains("consumer groups need 3 registered brokers"), d.errorMessage());
      assertTrue(d.errorMessage().contains("1 registered"), d.errorMessage());
      assertTrue(!TestBroker.await(client.metadata()).topics().containsKey(GroupPartitions.TOPIC),
          "the group log is not created under-replicated");
    }
  }

  /**
   * A partition of {@code __groups} that snapshots every 20 records in segments of 512 bytes:
   * after hundreds of commits its log start has moved past the segments below a completed
   * snapshot, and a restart rebuilds every group from what is left.
   */
  @Test
  void segmentsBelowACompletedSnapshotAreDeletedAndTheGroupsSurviveARestart() {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.groups.partitions", 1)
        .with("tributary.groups.snapshot-every", 20)
        .with("tributary.groups.segment-bytes", 512);
    TopicPartition t0 = new TopicPartition("t", 0);
    TopicPartition t1 = new TopicPartition("t", 1);
    long logStart;
    try (TestBroker broker = TestBroker.start(settings); TributaryClient client = broker.client()) {
      TestBroker.await(client.createTopic("t", 2, Map.of()));
      for (int i = 1; i <= COMMITS; i++) {
        for (String group : List.of("kept", "also-kept")) {
          reset(client, group, List.of(new CommittedOffset(t0, i, "at " + i), new CommittedOffset(t1, 2L * i, "")));
        }
      }
      logStart = dev.tributary.node.quorum.BrokerProcesses.eventually(LIMIT, () -> {
        long start = TestBroker.await(client.listOffsets(GroupPartitions.TOPIC, 0, ListOffsets.EARLIEST)).logStartOffset();
        assertTrue(start > 0, "the group log still starts at " + start + " after " + (4 * COMMITS) + " commits");
        return start;
      });
      assertCommitted(client, "kept", t0, t1);
    }
    try (TestBroker broker = TestBroker.start(settings); TributaryClient client = broker.client()) {
      assertCommitted(client, "kept", t0, t1);
      assertCommitted(client, "also-kept", t0, t1);
      long after = TestBroker.await(client.listOffsets(GroupPartitions.TOPIC, 0, ListOffsets.EARLIEST)).logStartOffset();
      assertTrue(after >= logStart, "the log start survives the restart: " + after + " < " + logStart);
    }
  }

  /**
   * A coordinator that takes a partition over replays the log as its replica holds it and writes
   * nothing to do so: its first append would be a replication round trip on every failover's
   * critical path. The log end is the same after a restart and the group's offsets.
   */
  @Test
  void aCoordinatorTakesOverWithoutWritingToTheGroupLog() {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.groups.partitions", 1);
    TopicPartition t0 = new TopicPartition("t", 0);
    long logEnd;
    try (TestBroker broker = TestBroker.start(settings); TributaryClient client = broker.client()) {
      TestBroker.await(client.createTopic("t", 1, Map.of()));
      reset(client, "quiet", List.of(new CommittedOffset(t0, 7, "seven")));
      logEnd = TestBroker.await(client.listOffsets(GroupPartitions.TOPIC, 0, ListOffsets.LATEST)).offset();
      assertTrue(logEnd > 0, "the commit is in the group log");
    }
    try (TestBroker broker = TestBroker.start(settings); TributaryClient client = broker.client()) {
      GroupRequest.OffsetsResponse r = TestBroker.await(client.<GroupRequest.OffsetsResponse>group(
          replyTo -> new GroupRequest.FetchOffsets("quiet", List.of(t0), replyTo)));
      assertEquals(List.of(new CommittedOffset(t0, 7, "seven")), r.offsets(), r.toString());
      assertEquals(logEnd, TestBroker.await(client.listOffsets(GroupPartitions.TOPIC, 0, ListOffsets.LATEST)).offset(),
          "the new coordinator wrote nothing to take over");
    }
  }

  private static void reset(TributaryClient client, String group, List<CommittedOffset> offsets) {
    GroupRequest.OffsetsResponse r = TestBroker.await(client.<GroupRequest.OffsetsResponse>group(
        replyTo -> new GroupRequest.ResetOffsets(group, offsets, replyTo)));
    assertEquals(ErrorCode.NONE, r.error(), r.toString());
  }

  private static void assertCommitted(TributaryClient client, String group, TopicPartition t0, TopicPartition t1) {
    GroupRequest.OffsetsResponse r = TestBroker.await(client.<GroupRequest.OffsetsResponse>group(
        replyTo -> new GroupRequest.FetchOffsets(group, List.of(t0, t1), replyTo)));
    assertEquals(List.of(new CommittedOffset(t0, COMMITS, "at " + COMMITS), new CommittedOffset(t1, 2L * COMMITS, "")),
        r.offsets(), group + ": " + r);
  }
}
