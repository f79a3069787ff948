package dev.tributary.node.cli;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary consume TOPIC}: print records as they arrive. */
@Command(name = "consume", mixinStandardHelpOptions = true,
    description = "Print a topic's records (from the end unless told otherwise) until Ctrl-C or --max-messages.")
final class ConsumeCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TOPIC", arity = "0..1",
      description = "The topic to read (or --include with --group).") String topic;

  @Option(names = "--include", paramLabel = "REGEX",
      description = "With --group instead of TOPIC: every topic whose whole name matches, including ones created later.")
  String include;

  @Option(names = "--from-beginning", description = "Start at the earliest offset.")
  boolean fromBeginning;

  @Option(names = "--partition", description = "Read only this partition.")
  Integer partition;

  @Option(names = "--offset", description = "Start at this offset (needs --partition).")
  Long offset;

  @Option(names = "--max-messages", description = "Exit after this many records.")
  Long maxMessages;

  @Option(names = "--group", description = "Consume as a member of this consumer group (commits as it goes).")
  String group;

  @Option(names = "--assignor", defaultValue = "sticky",
      description = "With --group: the assignor this member prefers: sticky, range or round-robin (default: ${DEFAULT-VALUE}).")
  String assignor;

  @Option(names = "--format", defaultValue = "%s\\n",
      description = "Output format: %%t %%p %%o %%k %%s %%T, \\n, \\t (default: %%s\\n).")
  String format;

  @Override
  public Integer call() {
    if ((topic == null) == (include == null)) {
      throw new IllegalArgumentException("name a TOPIC, or give --include REGEX with --group (not both)");
    }
    if (include != null && group == null) {
      throw new IllegalArgumentException("--include needs --group: a pattern subscription belongs to a consumer group");
    }
    if (group != null && (partition != null || offset != null)) {
      throw new IllegalArgumentException("--group assigns partitions itself: leave out --partition and --offset");
    }
    if (offset != null && partition == null) {
      throw new IllegalArgumentException("--offset needs --partition: offsets belong to one partition");
    }
    if (offset != null && offset < 0) {
      throw new IllegalArgumentException("--offset must be >= 0, got " + offset);
    }
    if (maxMessages != null && maxMessages < 1) {
      throw new IllegalArgumentException("--max-messages must be at least 1, got " + maxMessages);
    }
    RecordFormat output = new RecordFormat(format);
    try {
      return consume(output);
    } finally {
      closed.countDown(); // the consumer has committed and left: a SIGTERM hook may let the JVM go
    }
  }

  /** Counted down once the consumer is closed; the shutdown hook of a group member waits for it. */
  private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

  private int consume(RecordFormat output) {
    PrintWriter out = spec.commandLine().getOut();
    ConsumerSettings settings = ConsumerSettings.defaults().withAutoOffsetReset(
        fromBeginning ? ConsumerSettings.OffsetReset.EARLIEST : ConsumerSettings.OffsetReset.LATEST)
        .withAssignor(assignor);
    try (TributaryClient c = client.connect(); Consumer consumer = new Consumer(c, settings)) {
      if (include != null) {
        java.util.regex.Pattern pattern;
        try {
          pattern = java.util.regex.Pattern.compile(include);
        } catch (java.util.regex.PatternSyntaxException e) {
          throw new IllegalArgumentException("--include is not a valid regular expression: " + e.getDescription());
        }
        consumer.subscribe(group, pattern, dev.tributary.client.RebalanceListener.NONE);
        return printGroup(consumer, output, out);
      }
      List<TopicPartition> all = consumer.partitionsFor(topic);
      if (group != null) {
        consumer.subscribe(group, List.of(topic), dev.tributary.client.RebalanceListener.NONE);
        return printGroup(consumer, output, out);
      }
      List<TopicPartition> assigned = all;
      if (partition != null) {
        if (partition < 0 || partition >= all.size()) {
          throw new IllegalArgumentException("topic '" + topic + "' has partitions 0-" + (all.size() - 1)
              + "; got --partition " + partition);
        }
        assigned = List.of(new TopicPartition(topic, partition));
      }
      consumer.assign(assigned);
      if (offset != null) {
        consumer.seek(assigned.get(0), offset);
      } else if (fromBeginning) {
        consumer.seekToBeginning(assigned);
      } else {
        consumer.seekToEnd(assigned);
      }
      long printed = 0;
      while (maxMessages == null || printed < maxMessages) {
        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          out.print(output.render(r));
          if (maxMessages != null && ++printed >= maxMessages) {
            break;
          }
        }
        out.flush();
      }
    } finally {
      out.flush();
    }
    return 0;
  }

  /** As a group member: print, commit after every poll, commit and leave on exit (Ctrl-C too). */
  private int printGroup(Consumer consumer, RecordFormat output, PrintWriter out) {
    java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();
    Thread hook = new Thread(() -> {
      stopping.set(true);
      try {
        closed.await(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Runtime.getRuntime().addShutdownHook(hook);
    long printed = 0;
    while (!stopping.get() && (maxMessages == null || printed < maxMessages)) {
      for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
        out.print(output.render(r));
        printed++;
      }
      out.flush();
      try {
        consumer.commitSync();
      } catch (dev.tributary.protocol.TributaryException e) {
        spec.commandLine().getErr().println("warning: commit refused (" + e.getMessage() + "); the group will retry after the rebalance");
      }
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it waits for us to return
    }
    return 0;
  }
}
