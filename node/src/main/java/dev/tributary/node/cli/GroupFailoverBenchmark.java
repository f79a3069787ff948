package dev.tributary.node.cli;

import dev.tributary.client.GroupAdmin;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary perf group-failover}: the load of {@code perf rebalance} (three members of one
 * group, records produced throughout), then the broker of the group's coordinator killed by a
 * command of the user's. Reports how long until every member consumes again, until the group has a
 * coordinator elsewhere, and, for comparison, until every partition of the topic has a live leader
 * and until every partition takes writes again.
 */
@Command(name = "group-failover",
    description = "Time a group's recovery from the loss of its coordinator's broker, under the load of perf rebalance.")
final class GroupFailoverBenchmark implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Mixin GroupLoad.Options options;

  @Option(names = "--kill-command", required = true, paramLabel = "<command>",
      description = "Kills a broker, run with sh -c once the group is steady; {broker} stands for the id of "
          + "the coordinator's broker (for example 'kill -9 $(cat pids/{broker})').")
  String killCommand;

  @Option(names = "--topic", defaultValue = "group-failover-bench", paramLabel = "<topic>",
      description = "Topic to create (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--replication-factor", defaultValue = "3", paramLabel = "<copies>", converter = Ranges.Positive.class,
      description = "Copies of each partition; min.insync.replicas is 2 (1 with one copy) (default: ${DEFAULT-VALUE}).")
  int replicationFactor;

  /** Nanoseconds from the kill until a describe was answered by another coordinator; -1 until then. */
  private final AtomicLong coordinatorNanos = new AtomicLong(-1);

  /** How long each measure may take after the kill before it is reported as not reached. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);


  /** Target of issue 12: partition failover plus one heartbeat interval. */
  private static final long HEARTBEAT_MS = 500;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (TributaryClient c = client.connect()) {
      ClientOptions.await(c.createTopic(topic, options.partitions, replicationFactor,
          Map.of("min.insync.replicas", String.valueOf(Math.min(2, replicationFactor)))));
      String group = "group-failover-bench-" + topic;
      // The load of perf rebalance: members poll at most 500 records (the partitions take turns).
      GroupLoad load = new GroupLoad(c, topic, options.partitions, options.rate, group);
      for (int i = 0; i < 3; i++) {
        load.addMember("m" + i);
      }
      GroupLoad.waitUntil(() -> load.settled() && load.allConsuming(), Duration.ofSeconds(60),
          () -> "three members to consume every partition (owners: " + load.counts() + "; not consuming yet: "
              + load.notConsuming() + "; " + load.progress() + ")");
      load.clearGaps();
      Thread.sleep(2_000);
      long steadyGap = load.longestGapNanos();

      int coordinator = ClientOptions.await(new GroupAdmin(c).describe(group)).coordinator();
      if (coordinator < 0) {
        throw new IllegalStateException("the group's description names no coordinator");
      }
      MetadataResponse before = ClientOptions.await(c.metadata());
      TopicMetadata groups = before.topics().get(GroupPartitions.TOPIC);
      int groupPartition = groups == null ? -1 : GroupPartitions.partitionFor(group, groups.partitions());
      String command = killCommand.replace("{broker}", String.valueOf(coordinator));
      out.printf(Locale.ROOT, "group %s: coordinator on broker %d (leader of %s-%d); active controller: %d; "
          + "killing it with: %s%n", group, coordinator, GroupPartitions.TOPIC, groupPartition, before.controller(), command);
      out.flush();

      int exit = new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor();
      long killedAt = System.nanoTime();
      if (exit != 0) {
        throw new IllegalStateException("the kill command exited with " + exit + ": " + command);
      }
      Instant killedInstant = Instant.now();
      load.markProducer(killedAt);
      AtomicInteger newCoordinator = new AtomicInteger(-1);
      Thread describes = watch("describes", () -> coordinatorMoved(c, group, coordinator, killedAt, newCoordinator));
      Failover failover = new Failover(killedAt,
          movedAt -> load.members.forEach(m -> m.coordinatorMoved(movedAt)));
      Thread metadata = watch("metadata", () -> failover.watch(c, topic, coordinator, groupPartition));

      // (a) every member has records from some partition; (b) from every partition it holds
      long anyMs = sinceKill(load, killedAt, GroupLoad.Member::firstDeliverySinceMark);
      long everyMs = sinceKill(load, killedAt, GroupLoad.Member::everyPartitionSinceMark);
      long writableMs = sinceKill(killedAt, load::everyPartitionAckedSinceMark);
      long committedMs = sinceKill(load, killedAt, GroupLoad.Member::firstCommitAckedSinceMark);
      describes.join();
      metadata.join();
      long failures = load.members.stream().mapToLong(m -> m.failures.get()).sum();
      String lastFailure = load.members.stream().map(m -> m.lastFailure).filter(f -> f != null)
          .findFirst().orElse("none");
      load.close();

      long coordinatorMs = ms(coordinatorNanos.get());
      long partitionMs = ms(failover.partitionsNanos.get());
      out.printf(Locale.ROOT, "killed at %s%n", killedInstant);
      out.printf(Locale.ROOT, "(a) every member receiving records again, after a commit the new coordinator "
          + "acknowledged: %s%n", show(anyMs));
      out.printf(Locale.ROOT, "(b) the same from every partition it holds: %s%n", show(everyMs));
      out.printf(Locale.ROOT, "(c) group described by a coordinator other than broker %d (broker %d): %s%n",
          coordinator, newCoordinator.get(), show(coordinatorMs));
      out.printf(Locale.ROOT, "(d) partition failover (every partition of %s led by a live broker): %s%n",
          topic, show(partitionMs));
      out.printf(Locale.ROOT, "(e) partition failover as producers see it (every partition of %s acknowledged, "
          + "with acks=all, a record sent after the kill): %s%n", topic, show(writableMs));
      out.printf(Locale.ROOT, "(f) every member's commits acknowledged by the new coordinator: %s%n",
          show(committedMs));
      out.printf(Locale.ROOT, "    broker %d fenced in metadata: %s; %s-%d led by a live broker: %s; "
              + "polls or commits failed: %d (last: %s)%n",
          coordinator, show(ms(failover.fencedNanos.get())), GroupPartitions.TOPIC, groupPartition,
          show(ms(failover.groupLeaderNanos.get())), failures, lastFailure);
      String verdict = verdicts("(e)", writableMs, anyMs, everyMs) + "; " + verdicts("(d)", partitionMs, anyMs, everyMs);
      out.printf(Locale.ROOT,
          "%d partitions, %d records/s, 3 members: killed broker %d, the group's coordinator; every member "
              + "consuming again after %s (from every partition it holds after %s); every member's commits "
              + "acknowledged after %s; coordinator answering from broker %d after %s; partitions led again after %s, writable again after %s; target %s; "
              + "longest gap in the 2 s before the kill: %.0f ms.%n",
          options.partitions, options.rate, coordinator, show(anyMs), show(everyMs), show(committedMs),
          newCoordinator.get(), show(coordinatorMs),
          show(partitionMs), show(writableMs), verdict, steadyGap / 1e6);
      return 0;
    }
  }

  /**
   * Until the group is described by a coordinator other than {@code killed}: a describe every 50 ms
   * (at most 20 unanswered), since one sent to the dead coordinator may wait out its timeout.
   */
  private void coordinatorMoved(TributaryClient c, String group, int killed, long killedAt, AtomicInteger found)
      throws InterruptedException {
    GroupAdmin admin = new GroupAdmin(c);
    AtomicInteger unanswered = new AtomicInteger();
    long deadline = killedAt + PATIENCE.toNanos();
    while (found.get() < 0 && System.nanoTime() - deadline < 0) {
      if (unanswered.get() < 20) {
        unanswered.incrementAndGet();
        admin.describe(group).whenComplete((d, e) -> {
          unanswered.decrementAndGet();
          if (e == null && d.coordinator() >= 0 && d.coordinator() != killed) {
            long at = System.nanoTime();
            if (found.compareAndSet(-1, d.coordinator())) {
              coordinatorNanos.set(at - killedAt);
            }
          }
        });
      }
      Thread.sleep(50);
    }
  }

  /** When the metadata first showed the dead broker fenced, the group's partition and every partition led elsewhere. */
  private static final class Failover {
    final long killedAt;
    final AtomicLong fencedNanos = new AtomicLong(-1);
    final AtomicLong groupLeaderNanos = new AtomicLong(-1);
    final AtomicLong partitionsNanos = new AtomicLong(-1);
    private final java.util.function.LongConsumer groupLeaderMoved;

    /** @param groupLeaderMoved told the nanoTime at which the group's partition was first led by a live broker */
    Failover(long killedAt, java.util.function.LongConsumer groupLeaderMoved) {
      this.killedAt = killedAt;
      this.groupLeaderMoved = groupLeaderMoved;
    }

    /**
     * Looks at the newest metadata every 10 ms (the broker pushes each change), and asks for it
     * every 100 ms (in case the broker that pushes is the dead one).
     */
    void watch(TributaryClient c, String topic, int killed, int groupPartition) throws InterruptedException {
      Predicate<PartitionInfo> live = p -> p.leader() != PartitionInfo.NO_LEADER && p.leader() != killed;
      long deadline = killedAt + PATIENCE.toNanos();
      long asked = 0;
      while (partitionsNanos.get() < 0 || groupLeaderNanos.get() < 0 || fencedNanos.get() < 0) {
        long now = System.nanoTime();
        if (now - deadline > 0) {
          return;
        }
        if (now - asked > 100_000_000L) {
          asked = now;
          c.metadata();
        }
        MetadataResponse md = c.latestMetadata().orElse(null);
        if (md != null) {
          if (md.brokerInfo().stream().anyMatch(b -> b.id() == killed && BrokerInfo.FENCED.equals(b.status()))) {
            fencedNanos.compareAndSet(-1, now - killedAt);
          }
          TopicMetadata groups = md.topics().get(GroupPartitions.TOPIC);
          if (groups != null && groups.partition(groupPartition).filter(live).isPresent()
              && groupLeaderNanos.compareAndSet(-1, now - killedAt)) {
            groupLeaderMoved.accept(now);
          }
          TopicMetadata t = md.topics().get(topic);
          if (t != null && t.partitionInfo().size() == t.partitions() && t.partitionInfo().stream().allMatch(live)) {
            partitionsNanos.compareAndSet(-1, now - killedAt);
          }
        }
        Thread.sleep(10);
      }
    }
  }

  private interface Watch {
    void run() throws InterruptedException;
  }

  private static Thread watch(String name, Watch body) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "group-failover-" + name);
    t.start();
    return t;
  }

  /** Ms from the kill until {@code when} is known for every member, the latest of them; -1 after {@link #PATIENCE}. */
  private static long sinceKill(GroupLoad load, long killedAt, Function<GroupLoad.Member, OptionalLong> when)
      throws InterruptedException {
    return sinceKill(killedAt, () -> GroupLoad.latestOf(load.members.stream().map(when)));
  }

  /** The target measured from one partition failover time: (a) and (b) against it plus a heartbeat. */
  private static String verdicts(String failover, long failoverMs, long anyMs, long everyMs) {
    if (failoverMs < 0) {
      return "not measured from " + failover;
    }
    long target = failoverMs + HEARTBEAT_MS;
    return target + " ms (" + failover + " + " + HEARTBEAT_MS + " ms): " + verdict(anyMs, target)
        + ", from every partition: " + verdict(everyMs, target);
  }

  /** Ms from the kill until {@code when} is known; -1 when that takes longer than {@link #PATIENCE}. */
  private static long sinceKill(long killedAt, java.util.function.Supplier<OptionalLong> when)
      throws InterruptedException {
    while (true) {
      OptionalLong at = when.get();
      if (at.isPresent()) {
        return ms(at.getAsLong() - killedAt);
      }
      if (System.nanoTime() - killedAt > PATIENCE.toNanos()) {
        return -1;
      }
      Thread.sleep(10);
    }
  }

  private static String verdict(long ms, long target) {
    return ms < 0 ? "not measured" : ms <= target ? "met" : "missed by " + (ms - target) + " ms";
  }

  private static long ms(long nanos) {
    return nanos < 0 ? -1 : Math.round(nanos / 1e6);
  }

  private static String show(long ms) {
    return ms < 0 ? "not within " + PATIENCE.toSeconds() + " s" : ms + " ms";
  }
}
