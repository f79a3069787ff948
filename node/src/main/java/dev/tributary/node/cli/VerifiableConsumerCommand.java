package dev.tributary.node.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.OffsetAndMetadata;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary verifiable-consumer}: Kafka's VerifiableConsumer. Reads a topic as a member of
 * a consumer group and prints, as JSON lines, every assignment and revocation, what each poll
 * returned, and every commit, so a checker can prove that each acknowledged record was read and
 * none twice.
 */
@Command(name = "verifiable-consumer",
    description = {"Consume a topic in a group and print its events as JSON lines (Kafka's VerifiableConsumer): "
        + "startup_complete, partitions_assigned / partitions_revoked, records_consumed per poll (record_data per record "
        + "with --verbose), offsets_committed after each commit, shutdown_complete.",
        "Without --enable-autocommit it commits synchronously after every poll that returned records."})
final class VerifiableConsumerCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "Consume this topic.")
  String topic;

  @Option(names = {"-g", "--group-id"}, required = true, paramLabel = "<group-id>",
      description = "The consumer group to join.")
  String groupId;

  @Option(names = {"-n", "--max-messages"}, defaultValue = "-1", paramLabel = "<max-messages>",
      converter = Ranges.CountOrUnlimited.class,
      description = "Stop after this many records; -1 (default) until stopped.")
  long maxMessages;

  @Option(names = "--reset-policy", defaultValue = "earliest", paramLabel = "<policy>", converter = CliArgs.ResetPolicy.class,
      completionCandidates = CliArgs.ResetPolicy.class,
      description = "Where a partition without a committed offset starts: earliest | latest (default: ${DEFAULT-VALUE}).")
  ConsumerSettings.OffsetReset resetPolicy;

  @Option(names = "--verbose", description = "Print a record_data event for every record.")
  boolean verbose;

  @Option(names = "--enable-autocommit",
      description = "Let the consumer commit every 5 s (and before it gives partitions up) instead of after every poll; "
          + "no offsets_committed events then, as Kafka's.")
  boolean autoCommit;

  private volatile boolean stopping;

  /** Counted down once shutdown_complete is out: a SIGTERM hook may let the JVM go. */
  private final CountDownLatch finished = new CountDownLatch(1);

  private long consumed;

  /** The first offset polled but not consumed, per partition of the poll that reached --max-messages. */
  private final Map<TopicPartition, Long> notConsumed = new LinkedHashMap<>();

  @Override
  public Integer call() {
    ConsumerSettings settings = ConsumerSettings.defaults().withAutoOffsetReset(resetPolicy);
    if (!autoCommit) {
      settings = settings.withAutoCommitInterval(Duration.ZERO);
    }
    JsonEvents events = new JsonEvents(spec.commandLine().getOut());
    Thread hook = new Thread(() -> {
      stopping = true;
      try {
        finished.await(30, TimeUnit.SECONDS); // the poll loop commits, leaves the group and says so
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "verifiable-consumer-shutdown");
    try (TributaryClient c = client.connect(); Consumer consumer = new Consumer(c, settings)) {
      consumer.partitionsFor(topic); // an unknown topic is one line and an exit, not a wait for it
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        events.print(events.event("startup_complete"));
        consumer.subscribe(groupId, List.of(topic), new RebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            ObjectNode e = events.event("partitions_revoked");
            e.set("partitions", events.partitions(partitions));
            events.print(e);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            ObjectNode e = events.event("partitions_assigned");
            e.set("partitions", events.partitions(partitions));
            events.print(e);
          }
        });
        while (!stopping && !finished()) {
          List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(500));
          if (records.isEmpty()) {
            continue;
          }
          Map<TopicPartition, OffsetAndMetadata> offsets = onRecords(records, events);
          if (!autoCommit) {
            commit(consumer, offsets, events);
          }
        }
        if (autoCommit) {
          // Records past --max-messages were polled but not consumed: the commit at close must
          // not pass them, so the group's next member reads them.
          java.util.Set<TopicPartition> owned = consumer.assignment();
          notConsumed.forEach((tp, offset) -> {
            if (owned.contains(tp)) {
              consumer.seek(tp, offset);
            }
          });
        }
      } finally {
        consumer.close(); // partitions_revoked, then leaves the group (with auto-commit: commits first)
        events.print(events.event("shutdown_complete"));
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it has waited for us
        }
      }
    }
    return 0;
  }

  private boolean finished() {
    return maxMessages >= 0 && consumed >= maxMessages;
  }

  /**
   * Prints what a poll returned (at most what --max-messages still allows) and returns, per
   * partition, the offset after its last record consumed: what to commit.
   */
  private Map<TopicPartition, OffsetAndMetadata> onRecords(List<ConsumerRecord> records, JsonEvents events) {
    Map<TopicPartition, List<ConsumerRecord>> byPartition = new LinkedHashMap<>();
    for (ConsumerRecord r : records) {
      byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    ArrayNode summaries = events.array();
    long count = 0;
    for (Map.Entry<TopicPartition, List<ConsumerRecord>> entry : byPartition.entrySet()) {
      TopicPartition tp = entry.getKey();
      List<ConsumerRecord> taken = entry.getValue();
      if (maxMessages >= 0 && consumed + taken.size() > maxMessages) {
        taken = taken.subList(0, (int) (maxMessages - consumed));
        notConsumed.put(tp, entry.getValue().get(taken.size()).offset());
      }
      if (taken.isEmpty()) {
        continue;
      }
      long minOffset = taken.get(0).offset();
      long maxOffset = taken.get(taken.size() - 1).offset();
      offsets.put(tp, new OffsetAndMetadata(maxOffset + 1));
      summaries.addObject().put("topic", tp.topic()).put("partition", tp.partition())
          .put("count", taken.size()).put("minOffset", minOffset).put("maxOffset", maxOffset);
      if (verbose) {
        for (ConsumerRecord r : taken) {
          ObjectNode e = events.event("record_data");
          e.put("key", text(r.key()));
          e.put("value", text(r.value()));
          e.put("topic", r.topic());
          e.put("partition", r.partition());
          e.put("offset", r.offset());
          events.print(e);
        }
      }
      consumed += taken.size();
      count += taken.size();
    }
    ObjectNode e = events.event("records_consumed");
    e.put("count", count);
    e.set("partitions", summaries);
    events.print(e);
    return offsets;
  }

  /** Commits and prints the outcome; a refused commit is an event, not the end (the group rebalances). */
  private static void commit(Consumer consumer, Map<TopicPartition, OffsetAndMetadata> offsets, JsonEvents events) {
    String error = null;
    try {
      consumer.commitSync(offsets);
    } catch (RuntimeException e) {
      error = TributaryCli.describe(e);
    }
    ObjectNode e = events.event("offsets_committed");
    ArrayNode committed = events.array();
    offsets.forEach((tp, o) -> committed.addObject().put("topic", tp.topic()).put("partition", tp.partition())
        .put("offset", o.offset()));
    e.set("offsets", committed);
    if (error != null) {
      e.put("error", error);
    }
    e.put("success", error == null);
    events.print(e);
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
