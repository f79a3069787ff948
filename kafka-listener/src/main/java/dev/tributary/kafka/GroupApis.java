package dev.tributary.kafka;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's consumer-group APIs, each turned into the {@link GroupRequest} the typed client sends to
 * the group's coordinator (through {@link TributaryClient#group}, which finds it and retries while
 * it moves): FindCoordinator, the offsets ({@link OffsetApis}), listing, describing and deleting
 * groups, and classic membership ({@link ClassicGroupApis}).
 */
final class GroupApis {

  private static final Logger log = LoggerFactory.getLogger(GroupApis.class);

  /** The APIs this class answers. */
  static final Set<ApiKeys> SERVED = EnumSet.of(ApiKeys.FIND_COORDINATOR, ApiKeys.OFFSET_COMMIT,
      ApiKeys.OFFSET_FETCH, ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS,
      ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP);

  /** Kafka's protocol type of consumer groups. */
  static final String CONSUMER = ConsumerProtocol.PROTOCOL_TYPE;

  private final CompletionStage<TributaryClient> client;
  private final ClassicMembers classic = new ClassicMembers();
  private final OffsetApis offsets;
  private final ClassicGroupApis membership;

  GroupApis(CompletionStage<TributaryClient> client) {
    this.client = client;
    this.offsets = new OffsetApis(client, classic);
    this.membership = new ClassicGroupApis(client, classic);
  }

  CompletionStage<ApiMessage> answer(KafkaRequest request) {
    return switch (request.apiKey()) {
      case FIND_COORDINATOR -> findCoordinator((FindCoordinatorRequest) request.body(), request.version());
      case OFFSET_COMMIT -> offsets.commit(request);
      case OFFSET_FETCH -> offsets.fetch(request);
      case LIST_GROUPS -> listGroups((ListGroupsRequest) request.body(), request.version());
      case DESCRIBE_GROUPS -> describeGroups((DescribeGroupsRequest) request.body(), request.version());
      case DELETE_GROUPS -> deleteGroups((DeleteGroupsRequest) request.body());
      case JOIN_GROUP, SYNC_GROUP, HEARTBEAT, LEAVE_GROUP -> membership.answer(request);
      default -> throw new IllegalArgumentException(request.apiKey() + " is not a group API");
    };
  }

  // ---------------------------------------------------------------- FindCoordinator

  private CompletionStage<ApiMessage> findCoordinator(FindCoordinatorRequest request, short version) {
    FindCoordinatorRequestData data = request.data();
    return client.thenCompose(c -> c.metadata().thenCompose(m -> {
      if (!CoordinatorAnswers.groupsTopicMissing(m) || data.keyType() != FindCoordinatorRequest.CoordinatorType.GROUP.id()
          || CoordinatorAnswers.keys(data, version).isEmpty()) {
        return CompletableFuture.completedFuture(CoordinatorAnswers.answer(data, version, m));
      }
      // No __groups yet: the controller creates it at the first group request, so send one
      // (it waits for the coordinator, up to the request timeout) and answer from the metadata after.
      String first = CoordinatorAnswers.keys(data, version).get(0);
      log.debug("FindCoordinator for group {} before {} exists: asking its coordinator first", first,
          dev.tributary.protocol.GroupPartitions.TOPIC);
      return c.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(first, r))
          .handle((described, failed) -> null)
          .thenCompose(ignored -> c.metadata())
          .thenApply(after -> CoordinatorAnswers.answer(data, version, after));
    }));
  }

  // ---------------------------------------------------------------- ListGroups, DescribeGroups, DeleteGroups

  private CompletionStage<ApiMessage> listGroups(ListGroupsRequest request, short version) {
    List<String> states = request.data().statesFilter();
    List<String> types = request.data().typesFilter();
    boolean typeMatches = types == null || types.isEmpty()
        || types.stream().anyMatch(t -> t.equalsIgnoreCase("classic"));
    return client.thenCompose(c -> c.listGroups().thenCompose(ids -> {
      if (!typeMatches) {
        return CompletableFuture.completedFuture(new ListGroupsResponseData());
      }
      List<CompletableFuture<ListGroupsResponseData.ListedGroup>> listed = new ArrayList<>();
      for (String id : ids) {
        // The state needs the coordinator; before version 4 no one asks for it.
        CompletionStage<String> state = version < 4 ? CompletableFuture.completedFuture("")
            : c.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(id, r))
                .handle((d, failed) -> d == null ? "Unknown" : kafkaState(d));
        listed.add(state.thenApply(s -> new ListGroupsResponseData.ListedGroup().setGroupId(id)
            .setProtocolType(CONSUMER).setGroupState(s).setGroupType("classic")).toCompletableFuture());
      }
      return CompletableFuture.allOf(listed.toArray(CompletableFuture[]::new)).thenApply(done -> {
        ListGroupsResponseData out = new ListGroupsResponseData();
        for (CompletableFuture<ListGroupsResponseData.ListedGroup> g : listed) {
          ListGroupsResponseData.ListedGroup group = g.join();
          if (states == null || states.isEmpty() || states.stream().anyMatch(s -> s.equalsIgnoreCase(group.groupState()))) {
            out.groups().add(group);
          }
        }
        return out;
      });
    }));
  }

  private CompletionStage<ApiMessage> describeGroups(DescribeGroupsRequest request, short version) {
    return client.thenCompose(c -> {
      List<CompletableFuture<DescribeGroupsResponseData.DescribedGroup>> groups = new ArrayList<>();
      for (String id : request.data().groups()) {
        groups.add(c.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(id, r))
            .thenApply(d -> described(id, d, version)).toCompletableFuture());
      }
      return CompletableFuture.allOf(groups.toArray(CompletableFuture[]::new)).thenApply(done -> {
        DescribeGroupsResponseData out = new DescribeGroupsResponseData();
        groups.forEach(g -> out.groups().add(g.join()));
        return out;
      });
    });
  }

  private DescribeGroupsResponseData.DescribedGroup described(String id, GroupRequest.GroupDescription d,
      short version) {
    DescribeGroupsResponseData.DescribedGroup g = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id);
    if (d.error() == ErrorCode.GROUP_ID_NOT_FOUND) {
      // Kafka says so from version 6 (KIP-1043); before, an unknown group is described as Dead.
      return version >= 6
          ? g.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage(d.errorMessage()).setGroupState("Dead")
          : g.setGroupState("Dead").setProtocolType("").setProtocolData("");
    }
    if (d.error() != ErrorCode.NONE) {
      return g.setErrorCode(kafkaError(d.error()).code()).setErrorMessage(d.errorMessage()).setGroupState("Dead");
    }
    g.setGroupState(kafkaState(d)).setProtocolType(CONSUMER)
        .setProtocolData(d.members().isEmpty() ? "" : classic.protocolName(id, d.assignor()));
    for (GroupRequest.MemberDescription m : d.members()) {
      ClassicMembers.Described known = classic.described(id, m.memberId());
      byte[] subscription = known != null ? known.subscription()
          : bytes(ConsumerProtocol.serializeSubscription(new ConsumerPartitionAssignor.Subscription(m.topics())));
      byte[] assignment = bytes(ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(
          m.assignment().stream().map(GroupApis::kafka).toList())));
      g.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
          .setClientId(known != null ? known.clientId() : "").setClientHost(known != null ? known.clientHost() : "")
          .setMemberMetadata(subscription).setMemberAssignment(assignment));
    }
    return g;
  }

  private CompletionStage<ApiMessage> deleteGroups(DeleteGroupsRequest request) {
    return client.thenCompose(c -> {
      List<CompletableFuture<DeleteGroupsResponseData.DeletableGroupResult>> results = new ArrayList<>();
      for (String id : request.data().groupsNames()) {
        // As GroupAdmin.delete: a group that does not exist is GROUP_ID_NOT_FOUND, not a silent success.
        results.add(c.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(id, r))
            .thenCompose(d -> d.error() != ErrorCode.NONE
                ? CompletableFuture.completedFuture(new GroupRequest.OffsetsResponse(d.error(), d.errorMessage(), List.of()))
                : c.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.Delete(id, r)))
            .thenApply(r -> new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id)
                .setErrorCode(r.error() == ErrorCode.GROUP_NOT_EMPTY ? Errors.NON_EMPTY_GROUP.code() : kafkaError(r.error()).code())
                .setErrorMessage(r.error() == ErrorCode.NONE ? null : r.errorMessage()))
            .toCompletableFuture());
      }
      return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenApply(done -> {
        DeleteGroupsResponseData out = new DeleteGroupsResponseData();
        results.forEach(r -> out.results().add(r.join()));
        return out;
      });
    });
  }

  // ---------------------------------------------------------------- shared mappings

  /** Our group phase as a classic group state: a group that moves partitions is rebalancing. */
  static String kafkaState(GroupRequest.GroupDescription d) {
    return switch (d.state()) {
      case "Empty" -> "Empty";
      case "Stable" -> "Stable";
      case "Reconciling" -> "PreparingRebalance";
      default -> d.state();
    };
  }

  /**
   * Kafka's error for ours: the numbers are Kafka's where Kafka has the error. A partition a member
   * does not own (our own code) is, to a classic member, a commit from a generation that is over.
   */
  static Errors kafkaError(ErrorCode code) {
    if (code == ErrorCode.NOT_PARTITION_OWNER || code == ErrorCode.STALE_MEMBER_EPOCH) {
      return Errors.ILLEGAL_GENERATION;
    }
    if (code.code() >= ErrorCode.OWN_CODES_START) {
      return Errors.UNKNOWN_SERVER_ERROR;
    }
    return Errors.forCode((short) code.code());
  }

  static org.apache.kafka.common.TopicPartition kafka(TopicPartition p) {
    return new org.apache.kafka.common.TopicPartition(p.topic(), p.partition());
  }

  static TopicPartition ours(org.apache.kafka.common.TopicPartition p) {
    return new TopicPartition(p.topic(), p.partition());
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }

  /** Topic names by Kafka topic id, for the versions that name topics by id. */
  static Map<Uuid, String> topicNames(MetadataResponse metadata) {
    Map<Uuid, String> names = new HashMap<>();
    for (TopicMetadata t : metadata.topics().values()) {
      names.put(MetadataAnswers.uuid(t.topicId()), t.name());
    }
    return names;
  }
}
