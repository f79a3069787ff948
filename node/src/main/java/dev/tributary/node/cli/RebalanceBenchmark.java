package dev.tributary.node.cli;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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

  @Mixin GroupLoad.Options options;

  @Option(names = "--topic", defaultValue = "rebalance-bench", paramLabel = "<topic>",
      description = "Topic to create (default: ${DEFAULT-VALUE}).")
  String topic;

  @Override
  public Integer call() throws Exception {
    try (TributaryClient c = client.connect()) {
      ClientOptions.await(c.createTopic(topic, options.partitions, Map.of()));
      GroupLoad load = new GroupLoad(c, topic, options.partitions, options.rate, "rebalance-bench-" + topic);
      Map<TopicPartition, String> owners = load.owners;
      for (int i = 0; i < 3; i++) {
        load.addMember("m" + i);
      }
      GroupLoad.waitUntil(load::settled, Duration.ofSeconds(60),
          () -> "three members to settle (owners: " + load.counts() + ")");
      load.clearGaps();
      Thread.sleep(2_000);
      Map<TopicPartition, String> before = new HashMap<>(owners);
      // The steady state's longest gap is the floor a pause is judged against.
      long steadyGap = load.longestGapNanos();
      load.clearGaps();
      long joinedAt = System.nanoTime();
      load.addMember("m3");
      GroupLoad.waitUntil(() -> load.settled() && load.allConsuming(), Duration.ofSeconds(60),
          () -> "four members to settle (owners: " + load.counts() + ")");
      long settledNanos = System.nanoTime() - joinedAt;
      Thread.sleep(2_000);
      long longestPause = 0;
      TopicPartition worst = null;
      for (GroupLoad.Member m : load.members) {
        for (Map.Entry<TopicPartition, Long> e : m.longestGap.entrySet()) {
          boolean stayed = m.name.equals(before.get(e.getKey())) && m.name.equals(owners.get(e.getKey()));
          if (stayed && e.getValue() > longestPause) {
            longestPause = e.getValue();
            worst = e.getKey();
          }
        }
      }
      long moved = before.entrySet().stream().filter(e -> !e.getValue().equals(owners.get(e.getKey()))).count();
      load.close();
      spec.commandLine().getOut().printf(Locale.ROOT,
          "%d partitions, %d records/s: a 4th member joined a group of 3; %d partitions moved; every member "
              + "consuming its new assignment after %.0f ms; longest pause on a partition that did not move: "
              + "%.0f ms (%s); longest gap in the 2 s before the join: %.0f ms; records arrive every %.1f ms "
              + "per partition on average.%n",
          options.partitions, options.rate, moved, settledNanos / 1e6, longestPause / 1e6, worst, steadyGap / 1e6,
          options.partitions * 1000.0 / options.rate);
      return 0;
    }
  }
}
