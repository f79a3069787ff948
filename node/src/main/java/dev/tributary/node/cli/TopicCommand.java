package dev.tributary.node.cli;

import static dev.tributary.node.cli.ClientOptions.await;

import dev.tributary.client.TributaryClient;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary topic create|list|describe|delete}. */
@Command(name = "topic", description = "Manage topics.",
    subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
        TopicCommand.Delete.class})
final class TopicCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Override
  public void run() {
    throw UsageErrors.missingSubcommand(spec);
  }

  @Command(name = "create", description = "Create a topic.")
  static final class Create implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", converter = CliArgs.TopicName.class,
        description = "The new topic's name: letters, digits, '.', '_' and '-', at most 249, not starting with '__'.")
    String name;

    @Option(names = {"-p", "--partitions"}, required = true, paramLabel = "<partitions>",
        converter = Ranges.PartitionCount.class, description = "Number of partitions (1-10000).")
    int partitions;

    @Option(names = {"-r", "--replication-factor"}, paramLabel = "<replicas>", converter = Ranges.Positive.class,
        description = "Copies of each partition, on as many brokers (default: the broker's default.replication.factor).")
    Integer replicationFactor;

    @Option(names = {"-c", "--config"}, paramLabel = "<key=value>",
        description = "A topic config, e.g. retention.ms=86400000 (repeatable; an unknown key's error lists the known ones).")
    Map<String, String> configs = new HashMap<>();

    @Override
    public Integer call() {
      // The broker checks configs by the same rules; checked here too, a typo is a usage error.
      TopicConfig.problem(configs).ifPresent(problem -> {
        throw UsageErrors.of(spec, "--config: " + problem);
      });
      try (TributaryClient c = client.connect()) {
        TopicMetadata t = await(replicationFactor == null ? c.createTopic(name, partitions, configs)
            : c.createTopic(name, partitions, replicationFactor, configs)).topic().orElseThrow();
        spec.commandLine().getOut().println("Created topic " + t.name() + " with " + t.partitions() + " partitions.");
      }
      return 0;
    }
  }

  @Command(name = "list", description = "List topics.")
  static final class ListTopics implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Option(names = {"-i", "--internal"}, description = "Also list internal topics (__groups), as rpk's -i does.")
    boolean internal;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        new TreeMap<>(await(c.metadata()).topics()).keySet().stream()
            .filter(name -> internal || !dev.tributary.protocol.TopicNames.isInternal(name))
            .forEach(spec.commandLine().getOut()::println);
      }
      return 0;
    }
  }

  @Command(name = "describe", description = "Show a topic's partitions and configs.")
  static final class Describe implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME", description = "The topic to describe.") String name;

    @Option(names = "--under-replicated",
        description = "Only the partitions with fewer in-sync replicas than replicas.")
    boolean underReplicated;

    private static String ids(java.util.List<Integer> brokers) {
      return brokers.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","));
    }

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        MetadataResponse m = await(c.metadata());
        TopicMetadata t = m.topics().get(name);
        if (t == null) {
          throw new IllegalArgumentException("topic '" + name + "' does not exist (see: tributary topic list)");
        }
        spec.commandLine().getOut().println("Topic: " + t.name() + "\tTopicId: " + t.topicId() + "\tPartitions: " + t.partitions()
            + "\tReplicationFactor: " + t.replicationFactor()
            + "\tConfigs: " + (t.configs().isEmpty() ? "(defaults)" : new TreeMap<>(t.configs())));
        for (int p = 0; p < t.partitions(); p++) {
          Optional<PartitionInfo> info = t.partition(p);
          if (underReplicated && !info.map(PartitionInfo::underReplicated).orElse(false)) {
            continue;
          }
          String placement = "\tPartition: " + p + "\tLeader: " + info.map(i -> i.offline() ? "none" : Integer.toString(i.leader()))
              .orElse(t.leaders().get(p)) + "\tReplicas: " + info.map(i -> ids(i.replicas())).orElse("-")
              + "\tIsr: " + info.map(i -> ids(i.isr())).orElse("-");
          if (t.leaders().get(p).isEmpty()) {
            // Offline: no live in-sync replica, so there is no one to ask for offsets.
            spec.commandLine().getOut().println(placement + "\tLogStartOffset: -\tHighWatermark: -"
                + "\t(offline: no live in-sync replica)");
            continue;
          }
          ListOffsetsResponse start = await(c.listOffsets(name, p, ListOffsets.EARLIEST));
          spec.commandLine().getOut().println(placement + "\tLogStartOffset: " + start.logStartOffset()
              + "\tHighWatermark: " + start.highWatermark());
        }
      }
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a topic and its data.")
  static final class Delete implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Parameters(index = "0", paramLabel = "NAME",
        description = "The topic to delete, with all its records.") String name;

    @Override
    public Integer call() {
      try (TributaryClient c = client.connect()) {
        await(c.deleteTopic(name));
        spec.commandLine().getOut().println("Deleted topic " + name + ".");
      }
      return 0;
    }
  }
}
