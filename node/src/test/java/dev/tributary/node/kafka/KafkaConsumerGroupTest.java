package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group test: three classic KafkaConsumers (Kafka's defaults: group.protocol=classic,
 * range then cooperative-sticky) share twelve partitions, commit after every poll, and when one
 * leaves the other two take its partitions from its commits. Every record written by our typed
 * producer is read, and the group's committed offsets end at each partition's log end.
 */
class KafkaConsumerGroupTest {

  private static final long WAIT_S = 90;
  private static final int PARTITIONS = 12;
  private static final int PER_PHASE = 600;

  @TempDir Path dir;

  @Test
  void threeKafkaConsumersShareTwelvePartitionsCommitAndRebalanceWhenOneLeaves() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client(); Admin admin = admin(broker)) {
      await(client.createTopic("twelve", PARTITIONS, Map.of()));
      produce(client, 0, PER_PHASE);
      Map<String, Integer> seen = new ConcurrentHashMap<>();
      try (Reader a = new Reader(broker, seen); Reader b = new Reader(broker, seen)) {
        try (Reader c = new Reader(broker, seen)) {
          until(() -> a.assignment().size() == 4 && b.assignment().size() == 4 && c.assignment().size() == 4,
              () -> "four partitions each, got " + a.assignment() + ", " + b.assignment() + ", " + c.assignment());
          until(() -> seen.size() == PER_PHASE, () -> "the first " + PER_PHASE + " records, got " + seen.size());
          ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("twelve-readers")).describedGroups()
              .get("twelve-readers").get(WAIT_S, TimeUnit.SECONDS);
          assertEquals(3, d.members().size(), d.toString());
        }
        // c left: a and b take its partitions, and start them from its commits.
        until(() -> a.assignment().size() == 6 && b.assignment().size() == 6,
            () -> "six partitions each, got " + a.assignment() + " and " + b.assignment());
        Set<TopicPartition> all = new java.util.HashSet<>(a.assignment());
        all.addAll(b.assignment());
        assertEquals(PARTITIONS, all.size(), "every partition has one owner");
        produce(client, PER_PHASE, PER_PHASE);
        until(() -> seen.size() == 2 * PER_PHASE, () -> "all " + 2 * PER_PHASE + " records, got " + seen.size());
        until(() -> committedTotal(admin) == 2 * PER_PHASE, () -> "commits up to every partition's end");
      }
      for (int i = 0; i < 2 * PER_PHASE; i++) {
        assertTrue(seen.containsKey("v" + i), "record v" + i + " was read");
      }
    }
  }

  private static void produce(TributaryClient client, int from, int count) {
    try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
      List<java.util.concurrent.CompletableFuture<?>> sent = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        sent.add(producer.send("twelve", ("k" + i).getBytes(StandardCharsets.UTF_8),
            ("v" + i).getBytes(StandardCharsets.UTF_8)).toCompletableFuture());
      }
      sent.forEach(s -> await(s));
    }
  }

  private static long committedTotal(Admin admin) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("twelve-readers")
          .partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS);
      return offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
    } catch (Exception e) {
      return -1;
    }
  }

  /** A KafkaConsumer on a thread of its own, reading from the beginning and committing after every poll. */
  private static final class Reader implements AutoCloseable {
    private final Thread thread;
    private final AtomicReference<Set<TopicPartition>> assignment = new AtomicReference<>(Set.of());
    private volatile boolean stop;

    Reader(TestBroker broker, Map<String, Integer> seen) {
      Properties config = new Properties();
      config.put("bootstrap.servers", broker.broker().kafkaAddress());
      config.put("group.id", "twelve-readers");
      config.put("enable.auto.commit", "false");
      config.put("auto.offset.reset", "earliest");
      config.put("key.deserializer", ByteArrayDeserializer.class.getName());
      config.put("value.deserializer", ByteArrayDeserializer.class.getName());
      thread = new Thread(() -> {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
          consumer.subscribe(List.of("twelve"));
          while (!stop) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
              seen.merge(new String(r.value(), StandardCharsets.UTF_8), 1, Integer::sum);
            }
            assignment.set(Set.copyOf(consumer.assignment()));
            try {
              consumer.commitSync();
            } catch (org.apache.kafka.common.errors.RebalanceInProgressException
                | org.apache.kafka.clients.consumer.CommitFailedException rebalancing) {
              // The next poll rejoins; its records are read again from the last commit.
            }
          }
        }
      }, "reader");
      thread.start();
    }

    Set<TopicPartition> assignment() {
      return assignment.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(TimeUnit.SECONDS.toMillis(WAIT_S));
    }
  }

  private static void until(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up after " + WAIT_S + " s waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }

  private static Admin admin(TestBroker broker) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(config);
  }
}
