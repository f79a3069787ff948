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

  static Admin admin(TestBroker broker) {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(config);
  }
}
