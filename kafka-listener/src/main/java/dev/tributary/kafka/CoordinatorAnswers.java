package dev.tributary.kafka;

import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * Kafka's FindCoordinator answer from the controller's metadata: a group's coordinator is the broker
 * leading the group's partition of {@code __groups}, the broker the typed client's group requests
 * go to ({@code GroupRequests}). Transactions and share groups have no coordinator here. Pure: no I/O.
 */
final class CoordinatorAnswers {

  private CoordinatorAnswers() {}

  /** The keys asked for: one before version 4, a batch from version 4 on (KIP-699). */
  static List<String> keys(FindCoordinatorRequestData request, short version) {
    return version < 4 ? List.of(request.key()) : request.coordinatorKeys();
  }

  /** Whether {@code metadata} has no {@code __groups} yet: the first group request makes the controller create it. */
  static boolean groupsTopicMissing(MetadataResponse metadata) {
    TopicMetadata groups = metadata.topics().get(GroupPartitions.TOPIC);
    return groups == null || groups.partitions() == 0;
  }

  static FindCoordinatorResponseData answer(FindCoordinatorRequestData request, short version,
      MetadataResponse metadata) {
    FindCoordinatorResponseData out = new FindCoordinatorResponseData();
    for (String key : keys(request, version)) {
      out.coordinators().add(coordinator(key, request.keyType(), metadata));
    }
    if (version < 4) {
      // The old form has one key and its answer at the top level.
      Coordinator only = out.coordinators().get(0);
      out.setErrorCode(only.errorCode()).setErrorMessage(only.errorMessage()).setNodeId(only.nodeId())
          .setHost(only.host()).setPort(only.port());
      out.coordinators().clear();
    }
    return out;
  }

  private static Coordinator coordinator(String key, byte keyType, MetadataResponse metadata) {
    Coordinator c = new Coordinator().setKey(key);
    if (keyType != CoordinatorType.GROUP.id()) {
      String what = keyType == CoordinatorType.TRANSACTION.id() ? "transactions" : "share groups";
      return unavailable(c, Errors.COORDINATOR_NOT_AVAILABLE,
          "Tributary has no coordinator for " + what + " (key '" + key + "'): only consumer groups are served");
    }
    TopicMetadata groups = metadata.topics().get(GroupPartitions.TOPIC);
    if (groups == null || groups.partitions() == 0) {
      return unavailable(c, Errors.COORDINATOR_NOT_AVAILABLE, "the group log " + GroupPartitions.TOPIC
          + " is being created: retry shortly");
    }
    int partition = GroupPartitions.partitionFor(key, groups.partitions());
    Optional<PartitionInfo> info = groups.partition(partition);
    if (info.isEmpty() || info.get().offline()) {
      return unavailable(c, Errors.COORDINATOR_NOT_AVAILABLE, GroupPartitions.TOPIC + "-" + partition
          + " has no leader right now: retry shortly");
    }
    int leader = info.get().leader();
    for (BrokerInfo b : metadata.brokerInfo()) {
      if (b.id() == leader && !b.fenced()) {
        Optional<MetadataAnswers.HostPort> endpoint = MetadataAnswers.HostPort.parse(b.kafkaAddress());
        if (endpoint.isPresent()) {
          return c.setErrorCode(Errors.NONE.code()).setErrorMessage(null).setNodeId(leader)
              .setHost(endpoint.get().host()).setPort(endpoint.get().port());
        }
      }
    }
    return unavailable(c, Errors.COORDINATOR_NOT_AVAILABLE, "broker " + leader + ", which leads "
        + GroupPartitions.TOPIC + "-" + partition + ", has no Kafka listener known yet: retry shortly");
  }

  private static Coordinator unavailable(Coordinator c, Errors error, String message) {
    return c.setErrorCode(error.code()).setErrorMessage(message).setNodeId(-1).setHost("").setPort(-1);
  }
}
