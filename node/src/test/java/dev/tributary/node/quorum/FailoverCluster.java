package dev.tributary.node.quorum;

import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The three-broker cluster the replication tests run on, and the steps they share: every broker a
 * voter of the controller quorum, {@code --failover fast} (a broker is fenced about 2 s after its
 * last heartbeat), every broker seeding every other (so any can restart alone), the group log on
 * all three, small JVMs.
 */
final class FailoverCluster {

  /** Partitions of the group log {@code __groups} (few: each is a replicated partition on every broker). */
  static final int GROUP_PARTITIONS = 3;

  /** Generous: two slow cores shared by three brokers, the CLI JVMs and the test. */
  static final Duration LIMIT = Duration.ofSeconds(60);

  /** How long a restarted broker may take to be back in every Isr: it starts, registers, and catches up. */
  static final Duration REJOIN_LIMIT = Duration.ofSeconds(90);

  private FailoverCluster() {}

  /** Starts the three brokers; returns once each is up ({@link ClusterWatch#open} waits for the controller). */
  static BrokerProcesses start(Path dir) {
    return start(dir, new String[0]);
  }

  /** {@link #start(Path)}, with more JVM options for every broker (config overrides as {@code -D}). */
  static BrokerProcesses start(Path dir, String... moreJvmOptions) {
    // Three copies of the group log, as a real cluster has (the tests' application.conf keeps one for single brokers).
    List<String> options = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dtributary.groups.replication-factor=3", "-Dtributary.groups.partitions=" + GROUP_PARTITIONS));
    options.addAll(List.of(moreJvmOptions));
    return BrokerProcesses.builder(dir).brokers(3)
        .controllerQuorum(true).fastFailover(true).seeds(BrokerProcesses.Seeds.ALL)
        .jvmOptions(options.toArray(String[]::new)).start();
  }

  /** {@code topic create} in a child JVM: {@code partitions} partitions, each on all three brokers. */
  static void createReplicatedTopic(BrokerProcesses brokers, String topic, int partitions, int minInsync) {
    String out = brokers.cliOk("topic", "create", topic, "--partitions", Integer.toString(partitions),
        "--replication-factor", "3", "--config", "min.insync.replicas=" + minInsync,
        "--bootstrap", brokers.bootstrapAll());
    assertTrue(out.contains("Created topic " + topic + " with " + partitions + " partitions"), out);
  }

  /**
   * Creates the group log {@code __groups} while all three brokers run, by asking for a group
   * until its coordinator answers. As Kafka's offsets topic, it is created only once as many
   * brokers as its copies have registered: a cluster whose groups are first used while a broker
   * is down refuses them until it is back.
   */
  static void awaitGroupLog(ClusterWatch watch) {
    eventually(LIMIT, () -> {
      dev.tributary.protocol.message.GroupRequest.GroupDescription d = ClusterWatch.await(watch.client()
          .<dev.tributary.protocol.message.GroupRequest.GroupDescription>group(
              replyTo -> new dev.tributary.protocol.message.GroupRequest.Describe("warm-up", replyTo)));
      assertEquals(dev.tributary.protocol.ErrorCode.GROUP_ID_NOT_FOUND, d.error(), d.toString());
    });
  }

  /** Waits until partition {@code p} has a leader and all three brokers as replicas and in its Isr. */
  static TopicDescription.Partition awaitFullIsr(ClusterWatch watch, String topic, int p) {
    List<Integer> ids = watch.brokers.ids();
    return eventually(LIMIT, () -> {
      TopicDescription.Partition found = watch.partition(topic, p);
      assertTrue(found.leader().isPresent(), found.toString());
      assertEquals(ids.size(), found.replicas().size(), "replication factor: " + found);
      assertEquals(Set.copyOf(ids), Set.copyOf(found.replicas()), found.toString());
      assertEquals(Set.copyOf(ids), found.isrSet(), found.toString());
      return found;
    });
  }

  /** Waits until every broker is back in partition {@code p}'s Isr (after a restart or resume). */
  static TopicDescription.Partition awaitRejoined(ClusterWatch watch, String topic, int p, int broker) {
    return eventually(REJOIN_LIMIT, () -> {
      TopicDescription.Partition found = watch.partition(topic, p);
      assertEquals(Set.copyOf(watch.brokers.ids()), found.isrSet(), "broker " + broker + " not back in the Isr: " + found);
      return found;
    });
  }

  /** A replica of the partition that is not its leader. */
  static int follower(TopicDescription.Partition p) {
    return p.replicas().stream().filter(id -> id != p.leader().getAsInt()).findFirst()
        .orElseThrow(() -> new AssertionError("no follower: " + p));
  }

  static Set<Integer> without(List<Integer> ids, int id) {
    Set<Integer> rest = new TreeSet<>(ids);
    rest.remove(id);
    return rest;
  }
}
