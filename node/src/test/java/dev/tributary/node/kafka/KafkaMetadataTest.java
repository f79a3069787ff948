package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.message.MetadataResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own Admin client and kcat read a real broker's metadata through its Kafka listener: the
 * broker's Kafka endpoint, the cluster id, the controller, and each partition's leader, replicas
 * and ISR, as the typed client sees them.
 */
class KafkaMetadataTest {

  @TempDir Path dir;

  @Test
  void kafkasAdminClientSeesTheBrokerAndItsTopics() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("orders", 3, Map.of()));
      MetadataResponse ours = await(client.metadata());
      String kafkaAddress = broker.broker().kafkaAddress();
      assertTrue(kafkaAddress.startsWith("127.0.0.1:"), kafkaAddress);

      Properties config = new Properties();
      config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaAddress);
      config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
      try (Admin admin = Admin.create(config)) {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = cluster.nodes().get(30, TimeUnit.SECONDS);
        assertEquals(1, nodes.size(), nodes.toString());
        Node node = nodes.iterator().next();
        assertEquals(0, node.id());
        assertEquals(kafkaAddress, node.host() + ":" + node.port(), "the advertised endpoint");
        assertEquals(ours.clusterId(), cluster.clusterId().get(30, TimeUnit.SECONDS));
        assertEquals(0, cluster.controller().get(30, TimeUnit.SECONDS).id());

        assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("orders"));

        TopicDescription orders = admin.describeTopics(List.of("orders")).allTopicNames()
            .get(30, TimeUnit.SECONDS).get("orders");
        assertFalse(orders.isInternal());
        assertEquals(3, orders.partitions().size());
        for (TopicPartitionInfo p : orders.partitions()) {
          assertEquals(0, p.leader().id(), "partition " + p.partition());
          assertEquals(List.of(0), p.replicas().stream().map(Node::id).toList());
          assertEquals(List.of(0), p.isr().stream().map(Node::id).toList());
        }
        assertEquals(ours.topics().get("orders").topicId().replace("-", ""),
            new java.util.UUID(orders.topicId().getMostSignificantBits(), orders.topicId().getLeastSignificantBits())
                .toString().replace("-", ""), "the same topic id");

        Exception unknown = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
            () -> admin.describeTopics(List.of("no-such-topic")).allTopicNames().get(30, TimeUnit.SECONDS));
        assertTrue(unknown.getCause() instanceof UnknownTopicOrPartitionException, unknown.toString());
      }
    }
  }

  @Test
  void kcatListsTheBrokerAndItsTopics() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("events", 2, Map.of()));
      String kafkaAddress = broker.broker().kafkaAddress();
      Process kcat = new ProcessBuilder(Kcat.path(), "-b", kafkaAddress, "-L", "-m", "20").redirectErrorStream(true)
          .start();
      assertTrue(kcat.waitFor(60, TimeUnit.SECONDS), "kcat -L finished");
      String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, kcat.exitValue(), out);
      assertTrue(out.contains("1 brokers:") && out.contains("broker 0 at " + kafkaAddress), out);
      assertTrue(out.contains("topic \"events\" with 2 partitions:"), out);
      assertTrue(out.contains("partition 0, leader 0, replicas: 0, isrs: 0"), out);
      assertTrue(out.contains("partition 1, leader 0, replicas: 0, isrs: 0"), out);
    }
  }
}
