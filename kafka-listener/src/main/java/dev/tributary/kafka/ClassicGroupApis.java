package dev.tributary.kafka;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classic group membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) on top of our KIP-848
 * coordinator: each request becomes a {@link GroupRequest.Heartbeat} sent on the member's behalf
 * ({@link ClassicMembers} keeps what it may hold). Our coordinator assigns, not a client leader:
 * no member is named leader, so every consumer is a follower and takes its assignment from
 * SyncGroup. A member whose offer changed is answered REBALANCE_IN_PROGRESS at its next Heartbeat
 * and rejoins; an eager consumer (the default, with range listed first) revokes everything first,
 * a cooperative one only what it lost, and either way the coordinator hands a partition on only
 * once the JoinGroup that follows says it was given up. There is no join barrier: JoinGroup is
 * answered at once.
 */
final class ClassicGroupApis {

  private static final Logger log = LoggerFactory.getLogger(ClassicGroupApis.class);

  /** Kafka's group.min.session.timeout.ms and group.max.session.timeout.ms defaults. */
  static final int MIN_SESSION_TIMEOUT_MS = 6_000;
  static final int MAX_SESSION_TIMEOUT_MS = 1_800_000;

  private final CompletionStage<TributaryClient> client;
  private final ClassicMembers members;

  ClassicGroupApis(CompletionStage<TributaryClient> client, ClassicMembers members) {
    this.client = client;
    this.members = members;
  }

  CompletionStage<ApiMessage> answer(KafkaRequest request) {
    return switch (request.apiKey()) {
      case JOIN_GROUP -> join(((JoinGroupRequest) request.body()).data(), request.header().clientId());
      case SYNC_GROUP -> sync(((SyncGroupRequest) request.body()).data());
      case HEARTBEAT -> heartbeat(((HeartbeatRequest) request.body()).data());
      case LEAVE_GROUP -> leave(((LeaveGroupRequest) request.body()).data().groupId(),
          ((LeaveGroupRequest) request.body()).members(), request.version());
      default -> throw new IllegalArgumentException(request.apiKey() + " is not a classic group API");
    };
  }

  // ---------------------------------------------------------------- JoinGroup

  private CompletionStage<ApiMessage> join(JoinGroupRequestData data, String clientId) {
    String groupId = data.groupId();
    String memberId = data.memberId() == null ? "" : data.memberId();
    if (!GroupApis.CONSUMER.equals(data.protocolType())) {
      return joinRefused(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    if (data.sessionTimeoutMs() < MIN_SESSION_TIMEOUT_MS || data.sessionTimeoutMs() > MAX_SESSION_TIMEOUT_MS) {
      return joinRefused(Errors.INVALID_SESSION_TIMEOUT, memberId);
    }
    // The member's first protocol we can run: its preference, as Kafka's coordinator picks.
    JoinGroupRequestData.JoinGroupRequestProtocol chosen = null;
    for (JoinGroupRequestData.JoinGroupRequestProtocol p : data.protocols()) {
      if (ClassicMembers.assignorFor(p.name()).isPresent()) {
        chosen = p;
        break;
      }
    }
    if (chosen == null) {
      log.info("Group {}: refusing a JoinGroup whose assignors {} Tributary does not run (range, roundrobin, sticky, "
          + "cooperative-sticky)", groupId, data.protocols().stream().map(p -> p.name()).toList());
      return joinRefused(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    if (!members.knows(groupId, memberId)) {
      // Not a member this listener speaks for (it timed out, or joined through another broker): rejoin.
      return joinRefused(Errors.UNKNOWN_MEMBER_ID, "");
    }
    ConsumerPartitionAssignor.Subscription subscription;
    try {
      subscription = ConsumerProtocol.deserializeSubscription(ByteBuffer.wrap(chosen.metadata()));
    } catch (RuntimeException unreadable) {
      return joinRefused(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId);
    }
    String protocolName = chosen.name();
    ClassicMembers.Joining joining = new ClassicMembers.Joining(clientId == null ? "" : clientId, "", protocolName,
        ClassicMembers.assignorFor(protocolName).orElseThrow(), chosen.metadata(), List.copyOf(subscription.topics()),
        subscription.ownedPartitions().stream().map(GroupApis::ours).collect(Collectors.toSet()),
        data.sessionTimeoutMs());
    ClassicMembers.Report report = members.joinReport(groupId, memberId, joining, System.nanoTime());
    return beat(groupId, report, false).thenApply(r -> {
      if (r.error() != ErrorCode.NONE) {
        if (r.error() == ErrorCode.UNKNOWN_MEMBER_ID) {
          members.remove(groupId, memberId);
        }
        return refusedJoin(GroupApis.kafkaError(r.error()), memberId);
      }
      int generation = members.joined(groupId, r.memberId(), r.memberEpoch(), joining, System.nanoTime());
      if (memberId.isEmpty()) {
        log.info("Group {}: classic member {} ({}) joined with {}", groupId, r.memberId(), clientId, protocolName);
      }
      return new JoinGroupResponseData().setErrorCode(Errors.NONE.code()).setGenerationId(generation)
          .setProtocolType(GroupApis.CONSUMER).setProtocolName(protocolName).setLeader("")
          .setMemberId(r.memberId());
    });
  }

  private static CompletionStage<ApiMessage> joinRefused(Errors error, String memberId) {
    return CompletableFuture.completedFuture(refusedJoin(error, memberId));
  }

  private static JoinGroupResponseData refusedJoin(Errors error, String memberId) {
    return new JoinGroupResponseData().setErrorCode(error.code()).setGenerationId(-1).setProtocolName(null)
        .setLeader("").setMemberId(memberId);
  }

  // ---------------------------------------------------------------- SyncGroup and Heartbeat

  private CompletionStage<ApiMessage> sync(SyncGroupRequestData data) {
    String groupId = data.groupId();
    Errors refused = members.check(groupId, data.memberId(), data.generationId());
    Optional<ClassicMembers.Report> report = members.report(groupId, data.memberId(), System.nanoTime());
    if (refused != Errors.NONE || report.isEmpty()) {
      return CompletableFuture.completedFuture(new SyncGroupResponseData()
          .setErrorCode((refused == Errors.NONE ? Errors.UNKNOWN_MEMBER_ID : refused).code()).setAssignment(new byte[0]));
    }
    return beat(groupId, report.get(), false).thenApply(r -> {
      if (r.error() != ErrorCode.NONE) {
        forgetIfUnknown(groupId, data.memberId(), r.error());
        return new SyncGroupResponseData().setErrorCode(GroupApis.kafkaError(r.error()).code()).setAssignment(new byte[0]);
      }
      members.synced(groupId, data.memberId(), r.memberEpoch(), r.assignment());
      byte[] assignment = GroupApis.bytes(ConsumerProtocol.serializeAssignment(new ConsumerPartitionAssignor.Assignment(
          r.assignment().stream().map(GroupApis::kafka).toList())));
      return new SyncGroupResponseData().setErrorCode(Errors.NONE.code()).setProtocolType(GroupApis.CONSUMER)
          .setProtocolName(data.protocolName()).setAssignment(assignment);
    });
  }

  private CompletionStage<ApiMessage> heartbeat(org.apache.kafka.common.message.HeartbeatRequestData data) {
    String groupId = data.groupId();
    Errors refused = members.check(groupId, data.memberId(), data.generationId());
    Optional<ClassicMembers.Report> report = members.report(groupId, data.memberId(), System.nanoTime());
    if (refused != Errors.NONE || report.isEmpty()) {
      return CompletableFuture.completedFuture(new HeartbeatResponseData()
          .setErrorCode((refused == Errors.NONE ? Errors.UNKNOWN_MEMBER_ID : refused).code()));
    }
    return beat(groupId, report.get(), false).thenApply(r -> {
      if (r.error() != ErrorCode.NONE) {
        forgetIfUnknown(groupId, data.memberId(), r.error());
        return new HeartbeatResponseData().setErrorCode(GroupApis.kafkaError(r.error()).code());
      }
      boolean rejoin = members.heard(groupId, data.memberId(), r.memberEpoch(), r.assignment());
      return new HeartbeatResponseData().setErrorCode(rejoin ? Errors.REBALANCE_IN_PROGRESS.code() : Errors.NONE.code());
    });
  }

  // ---------------------------------------------------------------- LeaveGroup

  /** Each member leaves our coordinator at once, so its partitions go to the others without waiting for its session. */
  private CompletionStage<ApiMessage> leave(String groupId, List<LeaveGroupRequestData.MemberIdentity> leaving,
      short version) {
    List<CompletableFuture<LeaveGroupResponseData.MemberResponse>> answers = new ArrayList<>();
    for (LeaveGroupRequestData.MemberIdentity m : leaving) {
      members.remove(groupId, m.memberId());
      ClassicMembers.Report report = new ClassicMembers.Report(m.memberId(), -1, List.of(), List.of(), 0, "");
      answers.add(beat(groupId, report, true).thenApply(r -> {
        log.info("Group {}: classic member {} left", groupId, m.memberId());
        return new LeaveGroupResponseData.MemberResponse().setMemberId(m.memberId())
            .setGroupInstanceId(m.groupInstanceId()).setErrorCode(GroupApis.kafkaError(r.error()).code());
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
      LeaveGroupResponseData out = new LeaveGroupResponseData().setErrorCode(Errors.NONE.code());
      answers.forEach(a -> out.members().add(a.join()));
      if (version < 3) {
        // One member, and its answer at the top level.
        out.setErrorCode(out.members().isEmpty() ? Errors.NONE.code() : out.members().get(0).errorCode());
        out.members().clear();
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- the coordinator

  /** One KIP-848 heartbeat on the member's behalf; pushes are not asked for (the member has no inbox). */
  private CompletionStage<GroupRequest.HeartbeatResponse> beat(String groupId, ClassicMembers.Report report,
      boolean leaving) {
    return client.thenCompose(c -> c.<GroupRequest.HeartbeatResponse>group(replyTo -> new GroupRequest.Heartbeat(
        groupId, report.memberId(), report.appliedEpoch(), report.topics(), "", report.owned(), leaving,
        report.sessionTimeoutMs(), report.assignor(), null, replyTo)));
  }

  private void forgetIfUnknown(String groupId, String memberId, ErrorCode error) {
    if (error == ErrorCode.UNKNOWN_MEMBER_ID) {
      log.info("Group {}: the coordinator no longer knows classic member {}: it rejoins", groupId, memberId);
      members.remove(groupId, memberId);
    }
  }
}
