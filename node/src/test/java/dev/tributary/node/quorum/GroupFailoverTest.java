package dev.tributary.node.quorum;

import dev.tributary.node.RunsAlone;
import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static dev.tributary.node.quorum.FailoverCluster.LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.GroupAdmin;
import dev.tributary.client.OffsetAndMetadata;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.quorum.VerifiableEvents.Placed;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.GroupRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consumer groups across a broker loss: three brokers in child JVMs ({@link FailoverCluster}), the
 * group log {@code __groups} and the consumed topic both with three copies, and the broker that
 * hosts the group's coordinator killed with {@code kill -9}. The coordinator must move with the
 * leadership of the group's partition of {@code __groups}, rebuilt from that replicated log.
 *
 * <p>The members are {@code verifiable-consumer}s in child JVMs, as Kafka's system tests run them;
 * the committed offsets are watched from this JVM through {@link GroupAdmin}. Every wait is a
 * margin, not a sleep.
 */
@RunsAlone
class GroupFailoverTest {

  private static final String TOPIC = "events";
  private static final int PARTITIONS = 3;
  /** Records produced while the group consumes: about twelve seconds at {@link #RATE}. */
  private static final int LOAD = 3000;
  private static final int RATE = 250;
  /** How long a member may take to see every record: the load, a failover, rejoining, catching up. */
  private static final Duration CONSUME_LIMIT = Duration.ofSeconds(180);
  private static final Duration PRODUCER_LIMIT = Duration.ofSeconds(240);

  @TempDir Path dir;

  /** Every time a committed offset was seen lower than before: must stay empty. */
  private static final List<String> WENT_BACK = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Test
  void twoMembersKeepConsumingWhenTheCoordinatorsBrokerIsKilledAndNoCommitGoesBack() {
    String group = "failover-readers";
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, PARTITIONS, 2);
      for (int p = 0; p < PARTITIONS; p++) {
        FailoverCluster.awaitFullIsr(watch, TOPIC, p);
      }
      GroupAdmin admin = new GroupAdmin(watch.client());
      Map<TopicPartition, Long> lastSeen = new HashMap<>();
      int victim;
      try (BrokerProcesses.Background producer = brokers.cliInBackground("verifiable-producer", "--topic", TOPIC,
              "--max-messages", Integer.toString(LOAD), "--throughput", Integer.toString(RATE), "--acks", "all",
              "--bootstrap", brokers.bootstrapAll());
          BrokerProcesses.Background first = consumer(brokers, group);
          BrokerProcesses.Background second = consumer(brokers, group)) {
        // Both members hold partitions and have committed before the kill.
        first.awaitLines(l -> VerifiableEvents.isEvent(l, "offsets_committed"), 3, LIMIT);
        second.awaitLines(l -> VerifiableEvents.isEvent(l, "offsets_committed"), 3, LIMIT);
        victim = coordinatorBroker(watch, group);
        GroupRequest.GroupDescription before = eventually(LIMIT, () -> described(admin, group, 2));
        assertEquals(victim, before.coordinator(), "describe names the coordinator's broker: " + before);
        Set<Integer> ledByVictim = ledBy(watch, victim);
        assertTrue(!ledByVictim.isEmpty(), "the coordinator's broker also leads a partition the members read: "
            + ledByVictim);
        committedNeverGoesBack(admin, group, lastSeen);

        brokers.kill9(victim);
        long killedAt = System.nanoTime();

        BrokerProcesses.Result produced = producer.await(PRODUCER_LIMIT).requireOk();
        List<Placed> acked = VerifiableEvents.parse(produced.out()).acknowledged();
        assertTrue(acked.size() > LOAD / 2, "most records acknowledged across the failover: " + acked.size());
        // At least once: every acknowledged record is read by one member or the other.
        eventually(CONSUME_LIMIT, () -> {
          committedNeverGoesBack(admin, group, lastSeen);
          Set<String> read = new HashSet<>();
          for (BrokerProcesses.Background member : List.of(first, second)) {
            VerifiableEvents.parse(member.lines()).read().forEach(r -> read.add(r.partition() + "@" + r.offset()));
          }
          List<Placed> missing = acked.stream().filter(a -> !read.contains(a.partition() + "@" + a.offset())).toList();
          assertTrue(missing.isEmpty(), missing.size() + " acknowledged records not read yet, the first: "
              + (missing.isEmpty() ? "" : missing.get(0)));
        });
        System.out.printf("every acknowledged record was read %.1f s after the coordinator's broker was killed%n",
            (System.nanoTime() - killedAt) / 1e9);
        GroupRequest.GroupDescription after = eventually(LIMIT, () -> described(admin, group, 2));
        assertTrue(after.coordinator() != victim, "the coordinator moved off the killed broker: " + after);
        assertEquals(memberIds(before), memberIds(after), "the members rejoined the new coordinator as themselves");

        for (BrokerProcesses.Background member : List.of(first, second)) {
          BrokerProcesses.Result r = member.terminate(LIMIT);
          assertCommitsOfOneMemberNeverGoBack(VerifiableEvents.parse(r.out()));
        }
      }
      // The members are gone and committed what they read: no lag.
      eventually(LIMIT, () -> {
        committedNeverGoesBack(admin, group, lastSeen);
        assertNoLag(admin, group);
      });

      brokers.start(victim);
      for (int id : brokers.ids()) {
        String out = brokers.cliOk("group", "describe", group, "--bootstrap", brokers.bootstrap(id));
        assertTrue(out.startsWith("Group: " + group + "\tCoordinator: "), out);
        for (String line : out.lines().filter(l -> l.startsWith(TOPIC + "\t")).toList()) {
          assertEquals("0", line.split("\t")[4], "lag 0, asked on broker " + id + ": " + out);
        }
      }
      String groups = brokers.cliOk("group", "list", "--bootstrap", brokers.bootstrap(brokers.ids().get(0)));
      assertTrue(groups.lines().anyMatch(group::equals), groups);
      assertEquals(List.of(), WENT_BACK, "no committed offset ever moved backwards");
    }
  }

  @Test
  void aCommitAcknowledgedBeforeTheCoordinatorsBrokerDiedIsWhatCommittedReturnsAfterwards() {
    String group = "committed-once";
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, 1, 2);
      FailoverCluster.awaitFullIsr(watch, TOPIC, 0);
      TopicPartition partition = new TopicPartition(TOPIC, 0);
      int victim;
      try (TributaryClient client = TributaryClient.connect(brokers.bootstrapAll());
          Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
        consumer.subscribe(group, List.of(TOPIC), RebalanceListener.NONE);
        eventually(LIMIT, () -> {
          consumer.poll(Duration.ofMillis(200));
          assertEquals(Set.of(partition), consumer.assignment());
        });
        consumer.commitSync(Map.of(partition, new OffsetAndMetadata(42, "before the kill")));
        victim = coordinatorBroker(watch, group);
        brokers.kill9(victim);
        // The member stays in the group; committed() asks the new coordinator.
        OffsetAndMetadata committed = eventually(LIMIT, () -> consumer.committed(partition).orElseThrow());
        assertEquals(new OffsetAndMetadata(42, "before the kill"), committed);
        assertTrue(coordinatorBroker(watch, group) != victim, "the coordinator moved");
      }
      brokers.start(victim);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A member: {@code verifiable-consumer --verbose} from the earliest offset, committing after each poll. */
  private static BrokerProcesses.Background consumer(BrokerProcesses brokers, String group) {
    return brokers.cliInBackground("verifiable-consumer", "--topic", TOPIC, "--group-id", group,
        "--reset-policy", "earliest", "--verbose", "--bootstrap", brokers.bootstrapAll());
  }

  /** The broker that leads the group's partition of {@code __groups}: where its coordinator runs. */
  private static int coordinatorBroker(ClusterWatch watch, String group) {
    return eventually(LIMIT, () -> {
      int p = GroupPartitions.partitionFor(group, FailoverCluster.GROUP_PARTITIONS);
      return watch.partition(GroupPartitions.TOPIC, p).leader().orElseThrow(
          () -> new AssertionError(GroupPartitions.TOPIC + "-" + p + " has no leader"));
    });
  }

  private static Set<String> memberIds(GroupRequest.GroupDescription d) {
    return d.members().stream().map(GroupRequest.MemberDescription::memberId).collect(java.util.stream.Collectors.toSet());
  }

  private static Set<Integer> ledBy(ClusterWatch watch, int broker) {
    Set<Integer> led = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      if (watch.partition(TOPIC, p).leader().orElse(-1) == broker) {
        led.add(p);
      }
    }
    return led;
  }

  /** The group as its coordinator describes it, with {@code members} members. One try. */
  private static GroupRequest.GroupDescription described(GroupAdmin admin, String group, int members) {
    GroupRequest.GroupDescription d = ClusterWatch.await(admin.describe(group));
    assertEquals(ErrorCode.NONE, d.error(), d.toString());
    assertEquals(members, d.members().size(), d.toString());
    return d;
  }

  /** The committed offsets now, each at least what was seen before (a new coordinator lost none). */
  private static void committedNeverGoesBack(GroupAdmin admin, String group, Map<TopicPartition, Long> lastSeen) {
    GroupRequest.GroupDescription d;
    try {
      d = ClusterWatch.await(admin.describe(group));
    } catch (RuntimeException | AssertionError unanswered) {
      return; // the coordinator is moving: nothing seen, nothing to compare
    }
    if (d.error() != ErrorCode.NONE) {
      return;
    }
    for (GroupRequest.CommittedOffset o : d.offsets()) {
      Long before = lastSeen.get(o.partition());
      if (before != null && o.offset() < before) {
        // Kept, not thrown: a wait that retries must not let a later commit hide it.
        WENT_BACK.add("the committed offset of " + o.partition() + " went back from " + before + " to " + o.offset()
            + " (coordinator on broker " + d.coordinator() + ")");
      }
      lastSeen.merge(o.partition(), o.offset(), Math::max);
    }
  }

  private static void assertCommitsOfOneMemberNeverGoBack(VerifiableEvents events) {
    Map<String, Long> last = new TreeMap<>();
    for (var commit : events.named("offsets_committed")) {
      if (!commit.get("success").asBoolean()) {
        continue;
      }
      for (var o : commit.get("offsets")) {
        String p = o.get("topic").asText() + "-" + o.get("partition").asInt();
        long offset = o.get("offset").asLong();
        Long before = last.put(p, offset);
        assertTrue(before == null || offset >= before, p + " committed " + offset + " after " + before);
      }
    }
  }

  private static void assertNoLag(GroupAdmin admin, String group) {
    GroupRequest.GroupDescription d = ClusterWatch.await(admin.describe(group));
    assertEquals(ErrorCode.NONE, d.error(), d.toString());
    assertEquals(0, d.members().size(), d.toString());
    List<GroupAdmin.PartitionLag> lags = ClusterWatch.await(admin.lag(d));
    assertEquals(PARTITIONS, lags.size(), lags.toString());
    assertEquals(List.of(0L, 0L, 0L), lags.stream().map(GroupAdmin.PartitionLag::lag).toList(), lags.toString());
  }
}
