package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

/**
 * The admin answers that need no cluster (validate-only creations, described configs, the
 * cluster), written at every version kafka-clients speaks and read back with its own response
 * classes: a field set that a version lacks would fail the write.
 */
class AdminAnswersTest {

  private static final TopicRules RULES = new TopicRules() {
    @Override
    public Map<String, String> defaults() {
      return Map.of("retention.ms", "604800000", "segment.bytes", "1073741824");
    }

    @Override
    public int defaultReplicationFactor() {
      return 1;
    }

    @Override
    public Optional<String> configProblem(Map<String, String> configs) {
      return configs.keySet().stream().filter(k -> !defaults().containsKey(k)).findFirst()
          .map(k -> "unknown config '" + k + "'");
    }

    @Override
    public Optional<String> partitionsProblem(int partitions) {
      return partitions >= 1 ? Optional.empty() : Optional.of("partitions must be at least 1, got " + partitions);
    }
  };

  private static final MetadataResponse METADATA = new MetadataResponse(7,
      Map.of("orders", new TopicMetadata("orders", "8f1c2a3e-0c5d-4a61-9d1e-5b7f7e0a9c11", 2,
          Map.of("retention.ms", "60000"), List.of("", ""), List.of())),
      List.of("127.0.0.1:25520"), "cluster-1", 0, 3,
      List.of(new BrokerInfo(0, "127.0.0.1:25520", 1, BrokerInfo.REGISTERED, "d0", false, "127.0.0.1:9092"),
          new BrokerInfo(1, "127.0.0.1:25521", 2, BrokerInfo.FENCED, "d1", false, "127.0.0.1:9093")));

  private static AbstractResponse roundTrip(ApiKeys key, short version, ApiMessage body) {
    ByteBuffer frame = KafkaCodec.encode(42, key, version, body).asByteBuffer();
    assertEquals(42, ResponseHeader.parse(frame, key.responseHeaderVersion(version)).correlationId());
    return AbstractResponse.parseResponse(key, new ByteBufferAccessor(frame), version);
  }

  @Test
  void aValidateOnlyCreationIsAnsweredAtEveryVersion() throws Exception {
    TopicAdminAnswers answers = new TopicAdminAnswers(null, RULES); // validate-only never calls the cluster
    for (short v = ApiKeys.CREATE_TOPICS.oldestVersion(); v <= ApiKeys.CREATE_TOPICS.latestVersion(); v++) {
      CreateTopicsRequestData data = new CreateTopicsRequestData().setValidateOnly(true).setTimeoutMs(1000);
      data.topics().add(new CreatableTopic().setName("fresh").setNumPartitions(3)
          .setReplicationFactor((short) (v >= 4 ? -1 : 1))); // a default replication factor needs v4+
      data.topics().add(new CreatableTopic().setName("orders").setNumPartitions(1).setReplicationFactor((short) 1));
      data.topics().add(new CreatableTopic().setName("copies").setNumPartitions(1).setReplicationFactor((short) 2));
      data.topics().add(new CreatableTopic().setName("twice").setNumPartitions(1).setReplicationFactor((short) 1));
      data.topics().add(new CreatableTopic().setName("twice").setNumPartitions(2).setReplicationFactor((short) 1));
      CreateTopicsRequest request = new CreateTopicsRequest.Builder(data).build(v);
      CreateTopicsResponseData answer = answers.createTopics(request, METADATA).toCompletableFuture()
          .get(5, TimeUnit.SECONDS);
      CreateTopicsResponseData back = ((CreateTopicsResponse) roundTrip(ApiKeys.CREATE_TOPICS, v, answer)).data();
      assertEquals(Errors.NONE.code(), back.topics().find("fresh").errorCode(), "v" + v);
      assertEquals(Errors.TOPIC_ALREADY_EXISTS.code(), back.topics().find("orders").errorCode(), "v" + v);
      assertEquals(Errors.INVALID_REPLICATION_FACTOR.code(), back.topics().find("copies").errorCode(),
          "v" + v + ": one serving broker, the fenced one does not count");
      List<CreatableTopicResult> twice = back.topics().stream().filter(t -> t.name().equals("twice")).toList();
      assertEquals(1, twice.size(), "v" + v + ": a name given twice is answered once: " + twice);
      assertEquals(Errors.INVALID_REQUEST.code(), twice.get(0).errorCode(), "v" + v);
      assertTrue(twice.get(0).errorMessage().contains("more than once"), twice.get(0).errorMessage());
      if (v >= 5) {
        assertEquals(3, back.topics().find("fresh").numPartitions());
        assertEquals(1, back.topics().find("fresh").replicationFactor(), "the broker's default");
        assertTrue(back.topics().find("fresh").configs().stream().anyMatch(c -> c.name().equals("segment.bytes")));
      }
    }
  }

  @Test
  void aTopicNamedTwiceIsDeletedByNeitherAtEveryVersion() throws Exception {
    TopicAdminAnswers answers = new TopicAdminAnswers(null, RULES); // every row is refused before the cluster
    Uuid orders = MetadataAnswers.uuid(METADATA.topics().get("orders").topicId());
    for (short v = ApiKeys.DELETE_TOPICS.oldestVersion(); v <= ApiKeys.DELETE_TOPICS.latestVersion(); v++) {
      DeleteTopicsRequestData data = new DeleteTopicsRequestData().setTimeoutMs(1000);
      if (v < 6) {
        data.setTopicNames(List.of("orders", "orders"));
      } else {
        data.topics().add(new DeleteTopicState().setName("orders"));
        data.topics().add(new DeleteTopicState().setName("orders"));
        data.topics().add(new DeleteTopicState().setTopicId(orders));
        data.topics().add(new DeleteTopicState().setTopicId(orders));
        data.topics().add(new DeleteTopicState().setName("both").setTopicId(orders));
      }
      var answer = answers.deleteTopics(new DeleteTopicsRequest.Builder(data).build(v), METADATA)
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      var back = ((DeleteTopicsResponse) roundTrip(ApiKeys.DELETE_TOPICS, v, answer)).data().responses();
      assertEquals(v < 6 ? 1 : 3, back.size(), "v" + v + ": one answer per repeated name or id: " + back);
      back.forEach(r -> assertEquals(Errors.INVALID_REQUEST.code(), r.errorCode(), r.toString()));
      if (v >= 6) {
        assertTrue(back.stream().anyMatch(r -> r.errorMessage().contains("both name and id")), back.toString());
      }
    }
  }

  @Test
  void aValidateOnlyPartitionIncreaseIsAnsweredAtEveryVersion() throws Exception {
    TopicAdminAnswers answers = new TopicAdminAnswers(null, RULES);
    for (short v = ApiKeys.CREATE_PARTITIONS.oldestVersion(); v <= ApiKeys.CREATE_PARTITIONS.latestVersion(); v++) {
      CreatePartitionsRequestData data = new CreatePartitionsRequestData().setValidateOnly(true).setTimeoutMs(1000);
      data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("orders").setCount(4)
          .setAssignments(null));
      data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("missing").setCount(4)
          .setAssignments(null));
      for (int twice = 0; twice < 2; twice++) {
        data.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName("twice").setCount(4)
            .setAssignments(null));
      }
      var answer = answers.createPartitions(new CreatePartitionsRequest.Builder(data).build(v), METADATA)
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      var back = ((CreatePartitionsResponse) roundTrip(ApiKeys.CREATE_PARTITIONS, v, answer)).data().results();
      assertEquals(3, back.size(), "v" + v + ": a topic given twice is answered once: " + back);
      var twice = back.stream().filter(r -> r.name().equals("twice")).findFirst().orElseThrow();
      assertEquals(Errors.INVALID_REQUEST.code(), twice.errorCode(), "v" + v);
      var byName = back.stream().collect(java.util.stream.Collectors.toMap(r -> r.name(), r -> r.errorCode()));
      assertEquals(Errors.NONE.code(), byName.get("orders"), "v" + v);
      assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), byName.get("missing"), "v" + v);
    }
  }

  @Test
  void configsAreDescribedAtEveryVersion() {
    ConfigAnswers answers = new ConfigAnswers(null, RULES);
    for (short v = ApiKeys.DESCRIBE_CONFIGS.oldestVersion(); v <= ApiKeys.DESCRIBE_CONFIGS.latestVersion(); v++) {
      DescribeConfigsRequestData data = new DescribeConfigsRequestData().setIncludeDocumentation(true);
      data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
          .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("orders").setConfigurationKeys(null));
      data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
          .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName("missing").setConfigurationKeys(null));
      data.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
          .setResourceType(ConfigResource.Type.BROKER.id()).setResourceName("0")
          .setConfigurationKeys(List.of("log.retention.ms")));
      DescribeConfigsResponseData answer = answers.describe(new DescribeConfigsRequest.Builder(data).build(v), METADATA);
      var results = ((DescribeConfigsResponse) roundTrip(ApiKeys.DESCRIBE_CONFIGS, v, answer)).data().results();
      var orders = results.get(0).configs();
      assertEquals(List.of("retention.ms", "segment.bytes", "cleanup.policy"),
          orders.stream().map(c -> c.name()).toList(), "v" + v);
      assertEquals("60000", orders.get(0).value());
      assertEquals(DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id(), orders.get(0).configSource());
      assertEquals(DescribeConfigsResponse.ConfigSource.DEFAULT_CONFIG.id(), orders.get(1).configSource());
      assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION.code(), results.get(1).errorCode());
      assertEquals(List.of("log.retention.ms"), results.get(2).configs().stream().map(c -> c.name()).toList());
      assertEquals("604800000", results.get(2).configs().get(0).value());
    }
  }

  @Test
  void theClusterIsDescribedAtEveryVersion() {
    for (short v = ApiKeys.DESCRIBE_CLUSTER.oldestVersion(); v <= ApiKeys.DESCRIBE_CLUSTER.latestVersion(); v++) {
      DescribeClusterRequestData data = new DescribeClusterRequestData();
      if (v >= 2) {
        data.setIncludeFencedBrokers(true);
      }
      var answer = MetadataAnswers.describeCluster(new DescribeClusterRequest.Builder(data).build(v), METADATA);
      var back = ((DescribeClusterResponse) roundTrip(ApiKeys.DESCRIBE_CLUSTER, v, answer)).data();
      assertEquals("cluster-1", back.clusterId());
      assertEquals(0, back.controllerId());
      assertEquals(v >= 2 ? List.of(0, 1) : List.of(0),
          back.brokers().stream().map(b -> b.brokerId()).toList(), "v" + v + ": fenced brokers only when asked");
      assertEquals(9092, back.brokers().find(0).port());
      if (v >= 2) {
        assertTrue(back.brokers().find(1).isFenced());
      }
    }
    var controllers = MetadataAnswers.describeCluster(new DescribeClusterRequest.Builder(
        new DescribeClusterRequestData().setEndpointType((byte) 2)).build((short) 1), METADATA);
    assertEquals(Errors.UNSUPPORTED_ENDPOINT_TYPE.code(), controllers.errorCode());
  }
}
