package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's Admin client manages groups made by our own typed consumer, through the Kafka listener:
 * FindCoordinator, ListGroups, DescribeGroups, OffsetFetch, OffsetCommit from outside the group,
 * and DeleteGroups, each answered from the same coordinator the typed client talks to.
 */
class KafkaGroupsTest {

  private static final long WAIT_S = 60;

  @TempDir Path dir;

  @Test
  void kafkasAdminListsDescribesAltersAndDeletesOurGroups() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client();
        Admin admin = admin(broker)) {
      await(client.createTopic("orders", 4, Map.of()));
      dev.tributary.client.TopicPartition p0 = new dev.tributary.client.TopicPartition("orders", 0);
      try (Consumer member = new Consumer(client, ConsumerSettings.defaults().withAutoCommitInterval(Duration.ZERO))) {
        member.subscribe("typed", List.of("orders"), RebalanceListener.NONE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (member.assignment().size() < 4 && System.nanoTime() < deadline) {
          member.poll(Duration.ofMillis(200));
        }
        assertEquals(4, member.assignment().size(), "the only member holds every partition");
        member.commitSync(Map.of(p0, new dev.tributary.client.OffsetAndMetadata(0, "from-typed")));

        ConsumerGroupDescription live = admin.describeConsumerGroups(List.of("typed")).describedGroups().get("typed")
            .get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(1, live.members().size(), live.toString());
        MemberDescription m = live.members().iterator().next();
        assertEquals(4, m.assignment().topicPartitions().size(), live.toString());
        assertEquals(0, live.coordinator().id());

        // Resetting offsets from outside, or deleting, is refused while the group has a member.
        ExecutionException notEmpty = assertThrows(ExecutionException.class,
            () -> admin.deleteConsumerGroups(List.of("typed")).all().get(WAIT_S, TimeUnit.SECONDS));
        assertTrue(notEmpty.getCause() instanceof GroupNotEmptyException, notEmpty.toString());
      }

      Set<String> listed = admin.listConsumerGroups().all().get(WAIT_S, TimeUnit.SECONDS).stream()
          .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
      assertTrue(listed.contains("typed"), listed.toString());

      ConsumerGroupDescription empty = admin.describeConsumerGroups(List.of("typed")).describedGroups().get("typed")
          .get(WAIT_S, TimeUnit.SECONDS);
      assertEquals(GroupState.EMPTY, empty.groupState(), empty.toString());
      assertTrue(empty.members().isEmpty());

      TopicPartition kp0 = new TopicPartition("orders", 0);
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("typed")
          .partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS);
      assertEquals(new OffsetAndMetadata(0, "from-typed"), committed.get(kp0), committed.toString());

      admin.alterConsumerGroupOffsets("typed", Map.of(kp0, new OffsetAndMetadata(7, "from-admin"),
          new TopicPartition("orders", 3), new OffsetAndMetadata(2))).all().get(WAIT_S, TimeUnit.SECONDS);
      committed = admin.listConsumerGroupOffsets("typed").partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS);
      assertEquals(7, committed.get(kp0).offset());
      assertEquals("from-admin", committed.get(kp0).metadata());
      assertEquals(2, committed.get(new TopicPartition("orders", 3)).offset());
      // The typed client reads what Kafka's Admin wrote: one coordinator behind both doors.
      try (Consumer reader = new Consumer(client, ConsumerSettings.defaults())) {
        reader.subscribe("typed", List.of("orders"), RebalanceListener.NONE);
        assertEquals(7, reader.committed(p0).orElseThrow().offset());
      }

      admin.deleteConsumerGroups(List.of("typed")).all().get(WAIT_S, TimeUnit.SECONDS);
      ExecutionException gone = assertThrows(ExecutionException.class, () -> admin.describeConsumerGroups(List.of("typed"))
          .describedGroups().get("typed").get(WAIT_S, TimeUnit.SECONDS));
      assertTrue(gone.getCause() instanceof GroupIdNotFoundException, gone.toString());
      assertThrows(ExecutionException.class,
          () -> admin.deleteConsumerGroups(List.of("never-was")).all().get(WAIT_S, TimeUnit.SECONDS));
    }
  }

  /** A KafkaConsumer that assigns itself partitions commits from outside any group (generation -1, no member id). */
  @Test
  void anAssignedKafkaConsumerCommitsAndReadsItsOffsets() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("manual", 2, Map.of()));
      Properties config = new Properties();
      config.put("bootstrap.servers", broker.broker().kafkaAddress());
      config.put("group.id", "manual-commits");
      config.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
      config.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
      TopicPartition p1 = new TopicPartition("manual", 1);
      try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
          new org.apache.kafka.clients.consumer.KafkaConsumer<>(config)) {
        consumer.assign(List.of(p1));
        consumer.commitSync(Map.of(p1, new OffsetAndMetadata(5, "manual")), Duration.ofSeconds(WAIT_S));
        assertEquals(new OffsetAndMetadata(5, "manual"),
            consumer.committed(Set.of(p1), Duration.ofSeconds(WAIT_S)).get(p1));
      }
      // The typed client sees the same commit.
      try (Consumer reader = new Consumer(client, ConsumerSettings.defaults())) {
        reader.subscribe("manual-commits", List.of("manual"), RebalanceListener.NONE);
        assertEquals(5, reader.committed(new dev.tributary.client.TopicPartition("manual", 1)).orElseThrow().offset());
      }
    }
  }

  /**
   * Two KafkaConsumers with the classic protocol and Kafka's default assignors share a topic's
   * partitions through our coordinator, each holding what the other does not; when one leaves, the
   * other takes all. (Fetch is not needed: the partitions' positions come from committed offsets.)
   */
  @Test
  void classicKafkaConsumersSharePartitionsAndTakeOverOnLeave() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client();
        Admin admin = admin(broker)) {
      await(client.createTopic("shared", 4, Map.of()));
      Map<TopicPartition, OffsetAndMetadata> start = new java.util.HashMap<>();
      for (int p = 0; p < 4; p++) {
        start.put(new TopicPartition("shared", p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets("classic", start).all().get(WAIT_S, TimeUnit.SECONDS);
      try (Poller a = new Poller(broker, "classic", "shared"); Poller b = new Poller(broker, "classic", "shared")) {
        untilTrue(() -> a.assignment().size() == 2 && b.assignment().size() == 2,
            () -> "two partitions each, got " + a.assignment() + " and " + b.assignment());
        Set<TopicPartition> both = new java.util.HashSet<>(a.assignment());
        both.addAll(b.assignment());
        assertEquals(4, both.size(), "no partition has two owners");
        ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("classic")).describedGroups()
            .get("classic").get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(2, d.members().size(), d.toString());
        assertEquals("range", d.partitionAssignor(), "the first assignor the consumers list");
        b.close();
        untilTrue(() -> a.assignment().size() == 4, () -> "all four partitions, got " + a.assignment());
        a.commit(Map.of(new TopicPartition("shared", 1), new OffsetAndMetadata(0, "classic member")));
        untilTrue(() -> a.committed() != null, () -> "the member's commit");
        assertEquals(null, a.committed().orElse(null), "a member's commit is accepted");
      }
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("classic")
          .partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS);
      assertEquals("classic member", committed.get(new TopicPartition("shared", 1)).metadata());
    }
  }

  /**
   * Three cooperative consumers share twelve partitions: the third to join takes four, and the two
   * before it give up only partitions, never trade them, as cooperative rebalancing promises.
   */
  @Test
  void cooperativeConsumersGiveUpOnlyWhatMovesWhenAThirdJoins() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client();
        Admin admin = admin(broker)) {
      await(client.createTopic("twelve", 12, Map.of()));
      Map<TopicPartition, OffsetAndMetadata> start = new java.util.HashMap<>();
      for (int p = 0; p < 12; p++) {
        start.put(new TopicPartition("twelve", p), new OffsetAndMetadata(0));
      }
      admin.alterConsumerGroupOffsets("coop", start).all().get(WAIT_S, TimeUnit.SECONDS);
      String cooperative = org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName();
      try (Poller a = new Poller(broker, "coop", "twelve", cooperative);
          Poller b = new Poller(broker, "coop", "twelve", cooperative)) {
        untilTrue(() -> a.assignment().size() == 6 && b.assignment().size() == 6,
            () -> "six each, got " + a.assignment() + " and " + b.assignment());
        Set<TopicPartition> beforeA = a.assignment();
        Set<TopicPartition> beforeB = b.assignment();
        try (Poller c = new Poller(broker, "coop", "twelve", cooperative)) {
          untilTrue(() -> a.assignment().size() == 4 && b.assignment().size() == 4 && c.assignment().size() == 4,
              () -> "four each, got " + a.assignment() + ", " + b.assignment() + " and " + c.assignment());
          assertTrue(beforeA.containsAll(a.assignment()), beforeA + " then " + a.assignment());
          assertTrue(beforeB.containsAll(b.assignment()), beforeB + " then " + b.assignment());
          Set<TopicPartition> all = new java.util.HashSet<>(a.assignment());
          all.addAll(b.assignment());
          all.addAll(c.assignment());
          assertEquals(12, all.size(), "every partition has one owner");
          ConsumerGroupDescription d = admin.describeConsumerGroups(List.of("coop")).describedGroups().get("coop")
              .get(WAIT_S, TimeUnit.SECONDS);
          assertEquals("cooperative-sticky", d.partitionAssignor());
          assertEquals(3, d.members().size(), d.toString());
        }
      }
    }
  }

  /** A KafkaConsumer polling on a thread of its own (it is not thread-safe), its assignment seen from outside. */
  private static final class Poller implements AutoCloseable {
    private final Thread thread;
    private final java.util.concurrent.atomic.AtomicReference<Set<TopicPartition>> assignment =
        new java.util.concurrent.atomic.AtomicReference<>(Set.of());
    private final java.util.concurrent.atomic.AtomicReference<Map<TopicPartition, OffsetAndMetadata>> toCommit =
        new java.util.concurrent.atomic.AtomicReference<>();
    private volatile java.util.Optional<Exception> committed;
    private volatile boolean stop;

    Poller(TestBroker broker, String group, String topic) {
      this(broker, group, topic, null);
    }

    /** @param assignors Kafka's partition.assignment.strategy, or null for its default (range, cooperative-sticky) */
    Poller(TestBroker broker, String group, String topic, String assignors) {
      Properties config = new Properties();
      if (assignors != null) {
        config.put("partition.assignment.strategy", assignors);
      }
      config.put("bootstrap.servers", broker.broker().kafkaAddress());
      config.put("group.id", group);
      config.put("enable.auto.commit", "false");
      config.put("heartbeat.interval.ms", "500");
      config.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
      config.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
      thread = new Thread(() -> {
        try (org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]> consumer =
            new org.apache.kafka.clients.consumer.KafkaConsumer<>(config)) {
          consumer.subscribe(List.of(topic));
          while (!stop) {
            try {
              consumer.poll(Duration.ofMillis(100));
            } catch (RuntimeException notServedYet) {
              // Fetch may not be served: the membership goes on regardless.
            }
            assignment.set(Set.copyOf(consumer.assignment()));
            Map<TopicPartition, OffsetAndMetadata> offsets = toCommit.getAndSet(null);
            if (offsets != null) {
              try {
                consumer.commitSync(offsets);
                committed = java.util.Optional.empty();
              } catch (Exception e) {
                committed = java.util.Optional.of(e);
              }
            }
          }
        }
      }, "poller-" + group);
      thread.start();
    }

    Set<TopicPartition> assignment() {
      return assignment.get();
    }

    void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
      toCommit.set(offsets);
    }

    java.util.Optional<Exception> committed() {
      return committed;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(TimeUnit.SECONDS.toMillis(WAIT_S));
    }
  }

  private static void untilTrue(java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up after " + WAIT_S + " s waiting for " + what.get());
      }
      Thread.sleep(50);
    }
  }

  static Admin admin(TestBroker broker) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(config);
  }
}
