package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.message.TopicMetadata;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own Admin client manages topics and their configs through the Kafka listener: what it
 * creates, alters and deletes is what the typed client then sees, and every refusal is Kafka's
 * exception with our reason.
 */
class KafkaAdminTest {

  @TempDir static Path dir;
  private static TestBroker broker;
  private static TributaryClient client;
  private static Admin admin;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir);
    client = broker.client();
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    admin = Admin.create(config);
  }

  @AfterAll
  static void stop() {
    admin.close();
    client.close();
    broker.close();
  }

  private static <T> T get(KafkaFuture<T> future) throws Exception {
    return future.get(60, TimeUnit.SECONDS);
  }

  private static Throwable failure(KafkaFuture<?> future) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
    return e.getCause();
  }

  private static TopicMetadata ours(String topic) {
    return await(client.metadata()).topics().get(topic);
  }

  @Test
  void createdTopicsAreOursWithTheirCountsAndConfigs() throws Exception {
    CreateTopicsResult created = admin.createTopics(List.of(
        new NewTopic("kafka-made", 4, (short) 1).configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete")),
        new NewTopic("kafka-defaults", java.util.Optional.empty(), java.util.Optional.empty())));
    get(created.all());
    assertEquals(4, get(created.numPartitions("kafka-made")));
    assertEquals(1, get(created.replicationFactor("kafka-made")));
    assertEquals("3600000", get(created.config("kafka-made")).get("retention.ms").value());
    assertEquals(1, get(created.numPartitions("kafka-defaults")), "Kafka's num.partitions default");

    TopicMetadata made = ours("kafka-made");
    assertEquals(4, made.partitions());
    assertEquals(Map.of("retention.ms", "3600000"), made.configs());
    assertEquals(made.topicId().replace("-", ""), uuidHex(get(created.topicId("kafka-made"))), "the same topic id");
    assertEquals(1, ours("kafka-defaults").partitions());
  }

  @Test
  void refusedCreationsSayWhyAndCreateNothing() throws Exception {
    get(admin.createTopics(List.of(new NewTopic("taken", 1, (short) 1))).all());
    Map<String, KafkaFuture<Void>> results = admin.createTopics(List.of(
        new NewTopic("taken", 1, (short) 1),
        new NewTopic("bad/name", 1, (short) 1),
        new NewTopic("no-partitions", 0, (short) 1),
        new NewTopic("too-many-copies", 1, (short) 3),
        new NewTopic("bad-config", 1, (short) 1).configs(Map.of("retention.ms", "soon")),
        new NewTopic("unknown-config", 1, (short) 1).configs(Map.of("colour", "red")),
        new NewTopic("compacted", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
        new NewTopic("placed-by-hand", Map.of(0, List.of(0))))).values();
    assertInstanceOf(TopicExistsException.class, failure(results.get("taken")));
    assertInstanceOf(InvalidTopicException.class, failure(results.get("bad/name")));
    assertInstanceOf(InvalidPartitionsException.class, failure(results.get("no-partitions")));
    assertInstanceOf(InvalidReplicationFactorException.class, failure(results.get("too-many-copies")));
    Throwable badConfig = failure(results.get("bad-config"));
    assertInstanceOf(InvalidConfigurationException.class, badConfig);
    assertTrue(badConfig.getMessage().contains("retention.ms must be a whole number"), badConfig.getMessage());
    Throwable unknownConfig = failure(results.get("unknown-config"));
    assertTrue(unknownConfig.getMessage().contains("known keys"), unknownConfig.getMessage());
    assertInstanceOf(InvalidRequestException.class, failure(results.get("placed-by-hand")));
    Throwable compacted = failure(results.get("compacted"));
    assertInstanceOf(InvalidConfigurationException.class, compacted);
    assertTrue(compacted.getMessage().contains("does not compact"), compacted.getMessage());
    Set<String> topics = await(client.metadata()).topics().keySet();
    for (String refused : List.of("bad/name", "no-partitions", "too-many-copies", "bad-config", "unknown-config",
        "placed-by-hand", "compacted")) {
      assertFalse(topics.contains(refused), refused + " was not created");
    }
  }

  @Test
  void aValidateOnlyCreationChecksAndCreatesNothing() throws Exception {
    CreateTopicsResult checked = admin.createTopics(List.of(new NewTopic("checked-only", 2, (short) 1)),
        new CreateTopicsOptions().validateOnly(true));
    get(checked.all());
    assertEquals(2, get(checked.numPartitions("checked-only")));
    assertEquals(null, ours("checked-only"), "validate-only created nothing");
    Throwable refused = failure(admin.createTopics(List.of(new NewTopic("checked-bad", 1, (short) 1)
        .configs(Map.of("min.insync.replicas", "0"))), new CreateTopicsOptions().validateOnly(true)).all());
    assertInstanceOf(InvalidConfigurationException.class, refused);
  }

  @Test
  void configsAreDescribedWithTheirSourcesAndAlteredIncrementally() throws Exception {
    await(client.createTopic("altered", 1, Map.of("retention.ms", "60000")));
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "altered");
    Config described = get(admin.describeConfigs(List.of(topic)).all()).get(topic);
    assertEquals("60000", described.get("retention.ms").value());
    assertEquals(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG, described.get("retention.ms").source());
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, described.get("segment.bytes").source());
    assertEquals(ConfigEntry.ConfigType.LONG, described.get("retention.ms").type());
    assertEquals("delete", described.get("cleanup.policy").value());
    assertTrue(described.get("cleanup.policy").isReadOnly());

    get(admin.incrementalAlterConfigs(Map.of(topic, List.of(
        new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE),
        new AlterConfigOp(new ConfigEntry("max.message.bytes", "65536"), AlterConfigOp.OpType.SET)))).all());
    assertEquals(Map.of("max.message.bytes", "65536"), ours("altered").configs());
    Config after = get(admin.describeConfigs(List.of(topic)).all()).get(topic);
    assertEquals(ConfigEntry.ConfigSource.DEFAULT_CONFIG, after.get("retention.ms").source());
    assertEquals("65536", after.get("max.message.bytes").value());

    Throwable bad = failure(admin.incrementalAlterConfigs(Map.of(topic, List.of(
        new AlterConfigOp(new ConfigEntry("segment.bytes", "3"), AlterConfigOp.OpType.SET)))).all());
    assertInstanceOf(InvalidConfigurationException.class, bad);
    assertTrue(bad.getMessage().contains("segment.bytes"), bad.getMessage());
    Throwable append = failure(admin.incrementalAlterConfigs(Map.of(topic, List.of(
        new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.APPEND)))).all());
    assertInstanceOf(InvalidConfigurationException.class, append);
    assertEquals(Map.of("max.message.bytes", "65536"), ours("altered").configs(), "refusals changed nothing");

    ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "no-such-topic");
    assertInstanceOf(UnknownTopicOrPartitionException.class, failure(admin.describeConfigs(List.of(missing)).all()));
    assertInstanceOf(UnknownTopicOrPartitionException.class, failure(admin.incrementalAlterConfigs(Map.of(missing,
        List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "1"), AlterConfigOp.OpType.SET)))).all()));

    ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER, "0");
    Config brokerConfig = get(admin.describeConfigs(List.of(brokerResource)).all()).get(brokerResource);
    assertEquals(after.get("segment.bytes").value(), brokerConfig.get("log.segment.bytes").value(),
        "a topic's default is the broker's");
  }

  @Test
  void partitionsGrowAndTopicsAreDeleted() throws Exception {
    await(client.createTopic("grown", 2, Map.of()));
    await(client.createTopic("doomed", 1, Map.of()));
    get(admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(5))).all());
    assertEquals(5, ours("grown").partitions());
    assertInstanceOf(InvalidPartitionsException.class,
        failure(admin.createPartitions(Map.of("grown", NewPartitions.increaseTo(3))).all()));
    assertInstanceOf(UnknownTopicOrPartitionException.class,
        failure(admin.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(3))).all()));

    get(admin.deleteTopics(List.of("doomed")).all());
    assertEquals(null, ours("doomed"));
    assertFalse(get(admin.listTopics().names()).contains("doomed"));
    assertInstanceOf(UnknownTopicOrPartitionException.class, failure(admin.deleteTopics(List.of("doomed")).all()));
  }

  @Test
  void describeClusterNamesTheBrokerAndController() throws Exception {
    var cluster = admin.describeCluster(new DescribeClusterOptions().includeFencedBrokers(true));
    Collection<Node> nodes = get(cluster.nodes());
    assertEquals(List.of(0), nodes.stream().map(Node::id).toList());
    assertEquals(broker.broker().kafkaAddress(), nodes.iterator().next().host() + ":" + nodes.iterator().next().port());
    assertEquals(await(client.metadata()).clusterId(), get(cluster.clusterId()));
    assertEquals(0, get(cluster.controller()).id());
  }

  private static String uuidHex(org.apache.kafka.common.Uuid id) {
    return new java.util.UUID(id.getMostSignificantBits(), id.getLeastSignificantBits()).toString().replace("-", "");
  }
}
