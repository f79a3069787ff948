package dev.tributary.node.cli;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tributary consume TOPIC}: print records as they arrive. */
@Command(name = "consume",
    description = "Print a topic's records (from the end unless told otherwise) until Ctrl-C or --max-messages.",
    footer = {"", "Format tokens (kcat's):",
        "  %%t  topic          %%p  partition      %%o  offset",
        "  %%k  key            %%s  value          %%T  timestamp (ms since the epoch)",
        "  \\n  newline        \\t  tab            %%%%  a percent sign",
        "  A null key or value prints as nothing. Example: -f '%%p %%o %%k=%%s\\n'.",
        "",
        "Offsets (rpk's), in every partition read:",
        "  start  the log start            end  the end: only new records (default)",
        "  N      exactly offset N         +N   N records after the start",
        "  -N     N records before the end @T   the first record at or after time T,",
        "         T in epoch milliseconds or RFC 3339 (@2026-11-26T12:00:00Z)."})
final class ConsumeCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TOPIC", arity = "0..1",
      description = "The topic to read (or --include with --group).") String topic;

  @Option(names = "--include", paramLabel = "<regex>", converter = CliArgs.Regex.class,
      description = "With --group instead of TOPIC: every topic whose whole name matches, including ones created later.")
  Pattern include;

  @Option(names = "--from-beginning", description = "Start at the earliest offset (as --offset start).")
  boolean fromBeginning;

  @Option(names = {"-p", "--partition"}, paramLabel = "<partition>", converter = Ranges.NonNegative.class,
      description = "Read only this partition.")
  Integer partition;

  @Option(names = {"-o", "--offset"}, paramLabel = "<offset>", converter = StartOffset.Converter.class,
      description = "Where to start in each partition: start, end, N, +N, -N or @T (below).")
  StartOffset offset;

  @Option(names = {"-n", "--max-messages"}, paramLabel = "<max-messages>", converter = Ranges.PositiveLong.class,
      description = "Exit after this many records.")
  Long maxMessages;

  @Option(names = {"-g", "--group"}, paramLabel = "<group>",
      description = "Consume as a member of this consumer group (commits as it goes).")
  String group;

  @Option(names = "--assignor", defaultValue = "sticky", paramLabel = "<assignor>", converter = CliArgs.Assignor.class,
      completionCandidates = CliArgs.Assignor.class,
      description = "With --group: the assignor this member prefers: sticky, range or round-robin (default: ${DEFAULT-VALUE}).")
  String assignor;

  @Option(names = {"-f", "--format"}, defaultValue = "%s\\n", paramLabel = "<format>", converter = RecordFormat.Converter.class,
      description = "Output format, kcat's tokens (below); default '%%s\\n', the value and a newline.")
  RecordFormat format;

  @Override
  public Integer call() {
    requireConsistentOptions();
    try {
      return consume(format);
    } finally {
      closed.countDown(); // the consumer has committed and left: a SIGTERM hook may let the JVM go
    }
  }

  /** The rules between options, checked before connecting: breaking one is a usage error. */
  private void requireConsistentOptions() {
    if (topic == null && include == null) {
      throw UsageErrors.of(spec, "name a TOPIC to read, or give --include REGEX --group GROUP to read every matching topic");
    }
    if (topic != null && include != null) {
      throw UsageErrors.of(spec, "give a TOPIC or --include REGEX, not both");
    }
    if (include != null && group == null) {
      throw UsageErrors.of(spec, "--include needs --group: a pattern subscription belongs to a consumer group");
    }
    if (group != null && (partition != null || offset != null)) {
      throw UsageErrors.of(spec, "--group assigns partitions itself: leave out --partition and --offset "
          + "(--from-beginning picks where a partition without a committed offset starts)");
    }
    if (group == null && spec.commandLine().getParseResult().hasMatchedOption("--assignor")) {
      throw UsageErrors.of(spec, "--assignor needs --group: only a group member has partitions assigned");
    }
    if (fromBeginning && offset != null) {
      throw UsageErrors.of(spec, "give --from-beginning or --offset, not both (--from-beginning is --offset start)");
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
        consumer.subscribe(group, include, dev.tributary.client.RebalanceListener.NONE);
        return printGroup(consumer, output, out);
      }
      List<TopicPartition> all = consumer.partitionsFor(topic);
      if (group != null) {
        consumer.subscribe(group, List.of(topic), dev.tributary.client.RebalanceListener.NONE);
        return printGroup(consumer, output, out);
      }
      List<TopicPartition> assigned = all;
      if (partition != null) {
        if (partition >= all.size()) { // a negative one never got past parsing
          throw new IllegalArgumentException("topic '" + topic + "' has partitions 0-" + (all.size() - 1)
              + "; got --partition " + partition);
        }
        assigned = List.of(new TopicPartition(topic, partition));
      }
      consumer.assign(assigned);
      StartOffset from = offset != null ? offset : fromBeginning ? new StartOffset.Start() : new StartOffset.End();
      for (TopicPartition tp : assigned) {
        seek(c, consumer, tp, from);
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

  /** Moves the consumer to where {@code from} says in one partition; relative offsets stay inside its log. */
  private static void seek(TributaryClient c, Consumer consumer, TopicPartition tp, StartOffset from) {
    if (from instanceof StartOffset.Start) {
      consumer.seekToBeginning(List.of(tp));
    } else if (from instanceof StartOffset.End) {
      consumer.seekToEnd(List.of(tp));
    } else if (from instanceof StartOffset.Exact exact) {
      consumer.seek(tp, exact.offset());
    } else if (from instanceof StartOffset.AtTime at) {
      consumer.seekToTimestamp(tp, at.epochMillis());
    } else {
      ListOffsetsResponse bounds = ClientOptions.await(c.listOffsets(tp.topic(), tp.partition(), ListOffsets.EARLIEST));
      consumer.seek(tp, from.resolve(bounds.logStartOffset(), bounds.highWatermark()));
    }
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
