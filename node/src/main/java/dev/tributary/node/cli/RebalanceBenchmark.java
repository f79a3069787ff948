package dev.tributary.node.cli;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary perf rebalance}: three members consume a topic while records keep coming; a
 * fourth joins. Reports how long until every member consumes its new assignment, and the longest
 * pause seen on a partition that did not move.
 */
@Command(name = "rebalance", description = "Time a fourth member joining a group of three, and the pauses it causes.")
final class RebalanceBenchmark implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Option(names = "--topic", defaultValue = "rebalance-bench", paramLabel = "<topic>",
      description = "Topic to create (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(names = "--partitions", defaultValue = "64", paramLabel = "<partitions>", converter = Ranges.PartitionCount.class,
      description = "Partitions of the topic it creates (default: ${DEFAULT-VALUE}).")
  int partitions;

  private static final int RUN = 10;

  @Option(names = "--rate", defaultValue = "20000", paramLabel = "<records-per-s>", converter = Ranges.Positive.class,
      description = "Records/s produced throughout (default: ${DEFAULT-VALUE}).")
  int rate;

  /** One member: polls and commits in a loop, remembering when each partition last delivered. */
  private static final class Member implements Runnable {
    final String name;
    final TributaryClient client;
    final String group;
    final String topic;
    final Map<TopicPartition, String> owners;
    final Map<TopicPartition, Long> lastDelivery = new ConcurrentHashMap<>();
    final Map<TopicPartition, Long> longestGap = new ConcurrentHashMap<>();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile long firstRecordAtNanos;

    Member(String name, TributaryClient client, String group, String topic, Map<TopicPartition, String> owners) {
      this.name = name;
      this.client = client;
      this.group = group;
      this.topic = topic;
      this.owners = owners;
    }

    @Override
    public void run() {
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.LATEST))) {
        consumer.subscribe(group, List.of(topic), new RebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> tps) {
            tps.forEach(tp -> {
              owners.remove(tp, name);
              lastDelivery.remove(tp);
            });
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> tps) {
            tps.forEach(tp -> owners.put(tp, name));
          }
        }, 10_000);
        while (!stop.get()) {
          List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(100));
          long now = System.nanoTime();
          for (ConsumerRecord r : records) {
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Long last = lastDelivery.put(tp, now);
            if (last != null) {
              longestGap.merge(tp, now - last, Math::max);
            }
          }
          if (!records.isEmpty() && firstRecordAtNanos == 0) {
            firstRecordAtNanos = now;
          }
          consumer.commitSync();
        }
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    try (TributaryClient c = client.connect()) {
      ClientOptions.await(c.createTopic(topic, partitions, Map.of()));
      AtomicBoolean producing = new AtomicBoolean(true);
      Thread producer = new Thread(() -> {
        try (Producer p = new Producer(c, ProducerSettings.defaults())) {
          long start = System.nanoTime();
          long sent = 0;
          while (producing.get()) {
            long due = start + sent * 1_000_000_000L / rate;
            long early = due - System.nanoTime();
            if (early > 0) {
              // sleep, never spin: on two cores a spinning producer starves the members it measures
              java.util.concurrent.locks.LockSupport.parkNanos(Math.max(early, 1_000_000));
              continue;
            }
            // Runs of RUN records per partition, round-robin: every partition gets records at a
            // steady pace (sticky-random partitioning leaves a partition idle for seconds at
            // times, which would read as a pause), in batches big enough not to flood the broker.
            int partition = (int) (sent / RUN % partitions);
            p.send(topic, partition, null, new byte[100], List.of(), System.currentTimeMillis());
            sent++;
          }
        }
      }, "rebalance-producer");
      producer.start();
      Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
      List<Member> members = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        members.add(start("m" + i, owners, c));
      }
      waitUntil(() -> settled(owners, members), Duration.ofSeconds(60),
          () -> "three members to settle (owners: " + counts(owners) + ")");
      members.forEach(m -> m.longestGap.clear());
      Thread.sleep(2_000);
      Map<TopicPartition, String> before = new HashMap<>(owners);
      // The steady state's longest gap is the floor a pause is judged against.
      long steadyGap = members.stream().flatMap(m -> m.longestGap.values().stream()).max(Long::compare).orElse(0L);
      members.forEach(m -> m.longestGap.clear());
      long joinedAt = System.nanoTime();
      Member fourth = start("m3", owners, c);
      members.add(fourth);
      waitUntil(() -> settled(owners, members) && allConsuming(members, owners), Duration.ofSeconds(60),
          () -> "four members to settle (owners: " + counts(owners) + ")");
      long settledNanos = System.nanoTime() - joinedAt;
      Thread.sleep(2_000);
      long longestPause = 0;
      TopicPartition worst = null;
      for (Member m : members) {
        for (Map.Entry<TopicPartition, Long> e : m.longestGap.entrySet()) {
          boolean stayed = m.name.equals(before.get(e.getKey())) && m.name.equals(owners.get(e.getKey()));
          if (stayed && e.getValue() > longestPause) {
            longestPause = e.getValue();
            worst = e.getKey();
          }
        }
      }
      long moved = before.entrySet().stream().filter(e -> !e.getValue().equals(owners.get(e.getKey()))).count();
      members.forEach(m -> m.stop.set(true));
      producing.set(false);
      producer.join();
      Thread.sleep(500);
      spec.commandLine().getOut().printf(Locale.ROOT,
          "%d partitions, %d records/s: a 4th member joined a group of 3; %d partitions moved; every member "
              + "consuming its new assignment after %.0f ms; longest pause on a partition that did not move: "
              + "%.0f ms (%s); longest gap in the 2 s before the join: %.0f ms; records arrive every %.1f ms "
              + "per partition on average.%n",
          partitions, rate, moved, settledNanos / 1e6, longestPause / 1e6, worst, steadyGap / 1e6,
          partitions * 1000.0 / rate);
      return 0;
    }
  }

  /** Members share one client (one actor system), as consumers in one service would. */
  private Member start(String name, Map<TopicPartition, String> owners, TributaryClient c) {
    Member m = new Member(name, c, "rebalance-bench-" + topic, topic, owners);
    new Thread(m, "member-" + name).start();
    return m;
  }

  private boolean settled(Map<TopicPartition, String> owners, List<Member> members) {
    if (owners.size() != partitions) {
      return false;
    }
    Map<String, Integer> counts = new HashMap<>();
    owners.values().forEach(n -> counts.merge(n, 1, Integer::sum));
    int low = partitions / members.size();
    return members.stream().allMatch(m -> {
      int n = counts.getOrDefault(m.name, 0);
      return n == low || n == low + 1;
    });
  }

  private static boolean allConsuming(List<Member> members, Map<TopicPartition, String> owners) {
    for (Map.Entry<TopicPartition, String> e : owners.entrySet()) {
      Member m = members.stream().filter(x -> x.name.equals(e.getValue())).findFirst().orElse(null);
      if (m == null || !m.lastDelivery.containsKey(e.getKey())) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Integer> counts(Map<TopicPartition, String> owners) {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    owners.values().forEach(n -> counts.merge(n, 1, Integer::sum));
    return counts;
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout,
      java.util.function.Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what.get());
      }
      Thread.sleep(10);
    }
  }
}
