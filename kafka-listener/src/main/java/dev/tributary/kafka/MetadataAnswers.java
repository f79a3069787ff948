package dev.tributary.kafka;

import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseBroker;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.clients.admin.EndpointType;

/**
 * Kafka's Metadata answer from the controller's metadata, as this broker last saw it: the brokers
 * that serve (registered, not fenced, with a Kafka listener), the cluster id, the active controller,
 * and per partition its leader, leader epoch, replicas, in-sync replicas and the replicas on fenced
 * brokers (offline). Pure: no I/O.
 */
final class MetadataAnswers {

  private MetadataAnswers() {}

  static MetadataResponseData answer(MetadataRequest request, MetadataResponse metadata) {
    MetadataResponseData out = new MetadataResponseData()
        .setClusterId(metadata.clusterId().isEmpty() ? null : metadata.clusterId())
        .setControllerId(metadata.controller());
    Set<Integer> fenced = new java.util.HashSet<>();
    for (BrokerInfo b : metadata.brokerInfo()) {
      Optional<HostPort> endpoint = HostPort.parse(b.kafkaAddress());
      if (b.fenced()) {
        fenced.add(b.id());
      } else if (endpoint.isPresent()) {
        out.brokers().add(new MetadataResponseBroker().setNodeId(b.id()).setHost(endpoint.get().host())
            .setPort(endpoint.get().port()));
      }
    }
    for (MetadataResponseTopic topic : topics(request, metadata, fenced)) {
      out.topics().add(topic);
    }
    return out;
  }

  /**
   * Kafka's DescribeCluster answer: every broker with a Kafka listener (the fenced ones too, marked,
   * when asked for), the cluster id and the active controller. Brokers are the only endpoints: a
   * request for controller endpoints is Kafka's UNSUPPORTED_ENDPOINT_TYPE, as a broker answers it.
   */
  static DescribeClusterResponseData describeCluster(DescribeClusterRequest request, MetadataResponse metadata) {
    DescribeClusterResponseData out = new DescribeClusterResponseData();
    if (request.version() >= 1 && request.data().endpointType() != EndpointType.BROKER.id()) {
      return out.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
          .setErrorMessage("Tributary's Kafka listener serves broker endpoints only")
          .setEndpointType(request.data().endpointType());
    }
    out.setClusterId(metadata.clusterId()).setControllerId(metadata.controller());
    boolean withFenced = request.version() >= 2 && request.data().includeFencedBrokers();
    for (BrokerInfo b : metadata.brokerInfo()) {
      Optional<HostPort> endpoint = HostPort.parse(b.kafkaAddress());
      if (endpoint.isPresent() && (!b.fenced() || withFenced)) {
        DescribeClusterResponseData.DescribeClusterBroker broker = new DescribeClusterResponseData.DescribeClusterBroker()
            .setBrokerId(b.id()).setHost(endpoint.get().host()).setPort(endpoint.get().port());
        out.brokers().add(withFenced ? broker.setIsFenced(b.fenced()) : broker);
      }
    }
    return out;
  }

  private static List<MetadataResponseTopic> topics(MetadataRequest request, MetadataResponse metadata,
      Set<Integer> fenced) {
    List<MetadataResponseTopic> topics = new ArrayList<>();
    if (request.isAllTopics()) {
      metadata.topics().values().stream().sorted(java.util.Comparator.comparing(TopicMetadata::name))
          .forEach(t -> topics.add(topic(t, fenced)));
      return topics;
    }
    Map<Uuid, TopicMetadata> byId = new HashMap<>();
    metadata.topics().values().forEach(t -> byId.put(uuid(t.topicId()), t));
    for (MetadataRequestData.MetadataRequestTopic asked : request.data().topics()) {
      if (asked.name() != null) {
        TopicMetadata t = metadata.topics().get(asked.name());
        topics.add(t != null ? topic(t, fenced) : new MetadataResponseTopic().setName(asked.name())
            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()));
      } else {
        TopicMetadata t = byId.get(asked.topicId());
        topics.add(t != null ? topic(t, fenced) : new MetadataResponseTopic().setTopicId(asked.topicId())
            .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
      }
    }
    return topics;
  }

  private static MetadataResponseTopic topic(TopicMetadata t, Set<Integer> fenced) {
    MetadataResponseTopic topic = new MetadataResponseTopic().setName(t.name()).setTopicId(uuid(t.topicId()))
        .setIsInternal(TopicNames.isInternal(t.name()));
    for (int p = 0; p < t.partitions(); p++) {
      Optional<PartitionInfo> info = t.partition(p);
      MetadataResponsePartition partition = new MetadataResponsePartition().setPartitionIndex(p);
      if (info.isEmpty()) {
        partition.setErrorCode(Errors.LEADER_NOT_AVAILABLE.code()).setLeaderId(PartitionInfo.NO_LEADER);
      } else {
        PartitionInfo i = info.get();
        partition.setLeaderId(i.leader()).setLeaderEpoch(i.leaderEpoch()).setReplicaNodes(i.replicas())
            .setIsrNodes(i.isr())
            .setOfflineReplicas(i.replicas().stream().filter(fenced::contains).collect(Collectors.toList()))
            .setErrorCode(i.leader() == PartitionInfo.NO_LEADER ? Errors.LEADER_NOT_AVAILABLE.code() : Errors.NONE.code());
      }
      topic.partitions().add(partition);
    }
    return topic;
  }

  /** Our topic ids are UUID strings; Kafka's are the same 128 bits. A topic without one has Kafka's zero id. */
  static Uuid uuid(String topicId) {
    if (topicId == null || topicId.isEmpty()) {
      return Uuid.ZERO_UUID;
    }
    try {
      UUID u = UUID.fromString(topicId);
      return new Uuid(u.getMostSignificantBits(), u.getLeastSignificantBits());
    } catch (IllegalArgumentException notAUuid) {
      return Uuid.ZERO_UUID;
    }
  }

  /** A {@code host:port}, as brokers register their Kafka listener. */
  record HostPort(String host, int port) {
    static Optional<HostPort> parse(String address) {
      if (address == null) {
        return Optional.empty();
      }
      int colon = address.lastIndexOf(':');
      if (colon <= 0) {
        return Optional.empty();
      }
      try {
        return Optional.of(new HostPort(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
  }
}
