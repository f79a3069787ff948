package dev.tributary.kafka;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetFetchRequest;

/**
 * OffsetCommit and OffsetFetch as the typed client's {@link GroupRequest.CommitOffsets} and {@link
 * GroupRequest.FetchOffsets}. A commit from outside the group (generation -1, no member id: {@code
 * KafkaConsumer.assign} with {@code commitSync}, Admin's {@code alterConsumerGroupOffsets}) is our
 * commit with an empty member id, which the coordinator takes while the group has no members. A
 * classic member's commit carries the epoch its broker-side membership has ({@link ClassicMembers}).
 * From version 10 topics are named by id: resolved through this broker's metadata.
 */
final class OffsetApis {

  private final CompletionStage<TributaryClient> client;
  private final ClassicMembers classic;

  OffsetApis(CompletionStage<TributaryClient> client, ClassicMembers classic) {
    this.client = client;
    this.classic = classic;
  }

  // ---------------------------------------------------------------- OffsetCommit

  CompletionStage<ApiMessage> commit(KafkaRequest request) {
    OffsetCommitRequestData data = ((OffsetCommitRequest) request.body()).data();
    return client.thenCompose(c -> c.metadata().thenCompose(metadata -> {
      Map<Uuid, String> names = GroupApis.topicNames(metadata);
      OffsetCommitResponseData out = new OffsetCommitResponseData();
      List<CommittedOffset> offsets = new ArrayList<>();
      // Each partition's answer, in request order; those still NONE take the coordinator's answer.
      List<OffsetCommitResponsePartition> pending = new ArrayList<>();
      for (OffsetCommitRequestData.OffsetCommitRequestTopic t : data.topics()) {
        String name = request.version() >= 10 ? names.get(t.topicId()) : t.name();
        OffsetCommitResponseTopic topic = new OffsetCommitResponseTopic().setName(t.name()).setTopicId(t.topicId());
        out.topics().add(topic);
        for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
          OffsetCommitResponsePartition answer = new OffsetCommitResponsePartition().setPartitionIndex(p.partitionIndex());
          topic.partitions().add(answer);
          if (name == null) {
            answer.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
          } else {
            offsets.add(new CommittedOffset(new TopicPartition(name, p.partitionIndex()), p.committedOffset(),
                p.committedMetadata() == null ? "" : p.committedMetadata()));
            pending.add(answer);
          }
        }
      }
      if (offsets.isEmpty()) {
        return CompletableFuture.completedFuture(out);
      }
      ClassicMembers.CommitCheck check = classic.checkCommit(data.groupId(), data.memberId(),
          data.generationIdOrMemberEpoch());
      if (check.error() != Errors.NONE) {
        pending.forEach(p -> p.setErrorCode(check.error().code()));
        return CompletableFuture.completedFuture(out);
      }
      return c.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.CommitOffsets(data.groupId(),
              check.memberId(), check.epoch(), offsets, r))
          .thenApply(response -> {
            short code = GroupApis.kafkaError(response.error()).code();
            pending.forEach(p -> p.setErrorCode(code));
            return out;
          });
    }));
  }

  // ---------------------------------------------------------------- OffsetFetch

  /** One group's part of a fetch: the partitions asked for, or null for all the group has. */
  private record Asked(String groupId, Map<String, List<Integer>> partitions) {}

  CompletionStage<ApiMessage> fetch(KafkaRequest request) {
    OffsetFetchRequestData data = ((OffsetFetchRequest) request.body()).data();
    short version = request.version();
    return client.thenCompose(c -> c.metadata().thenCompose(metadata -> {
      Map<Uuid, String> names = GroupApis.topicNames(metadata);
      Map<String, Uuid> ids = new HashMap<>();
      names.forEach((id, name) -> ids.put(name, id));
      List<Asked> asked = new ArrayList<>();
      if (version < 8) {
        asked.add(new Asked(data.groupId(), data.topics() == null ? null : byName(data.topics())));
      } else {
        for (OffsetFetchRequestData.OffsetFetchRequestGroup g : data.groups()) {
          Map<String, List<Integer>> partitions = null;
          if (g.topics() != null) {
            partitions = new LinkedHashMap<>();
            for (OffsetFetchRequestData.OffsetFetchRequestTopics t : g.topics()) {
              String name = version >= 10 ? names.getOrDefault(t.topicId(), "") : t.name();
              partitions.put(name, t.partitionIndexes());
            }
          }
          asked.add(new Asked(g.groupId(), partitions));
        }
      }
      List<CompletableFuture<GroupRequest.OffsetsResponse>> answers = new ArrayList<>();
      for (Asked a : asked) {
        List<TopicPartition> tps = new ArrayList<>();
        if (a.partitions() != null) {
          a.partitions().forEach((topic, ps) -> ps.forEach(p -> tps.add(new TopicPartition(topic, p))));
        }
        answers.add(a.partitions() != null && tps.isEmpty()
            ? CompletableFuture.completedFuture(new GroupRequest.OffsetsResponse(ErrorCode.NONE, "", List.of()))
            : c.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.FetchOffsets(a.groupId(), tps, r))
                .toCompletableFuture());
      }
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
        OffsetFetchResponseData out = new OffsetFetchResponseData();
        for (int i = 0; i < asked.size(); i++) {
          OffsetFetchResponseData.OffsetFetchResponseGroup group = group(asked.get(i), answers.get(i).join(), ids);
          if (version < 8) {
            out.setErrorCode(group.errorCode());
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : group.topics()) {
              OffsetFetchResponseData.OffsetFetchResponseTopic topic =
                  new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
              t.partitions().forEach(p -> topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                  .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                  .setCommittedLeaderEpoch(-1).setMetadata(p.metadata()).setErrorCode(p.errorCode())));
              out.topics().add(topic);
            }
          } else {
            out.groups().add(group);
          }
        }
        return out;
      });
    }));
  }

  private static Map<String, List<Integer>> byName(List<OffsetFetchRequestData.OffsetFetchRequestTopic> topics) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    topics.forEach(t -> out.put(t.name(), t.partitionIndexes()));
    return out;
  }

  /**
   * A group's answer: each partition asked for with its committed offset (-1 and no error when
   * none was committed, as Kafka answers), or every committed partition when all were asked for.
   */
  private static OffsetFetchResponseData.OffsetFetchResponseGroup group(Asked asked, GroupRequest.OffsetsResponse r,
      Map<String, Uuid> ids) {
    OffsetFetchResponseData.OffsetFetchResponseGroup group =
        new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(asked.groupId());
    if (r.error() != ErrorCode.NONE) {
      return group.setErrorCode(GroupApis.kafkaError(r.error()).code());
    }
    Map<TopicPartition, CommittedOffset> committed = new HashMap<>();
    r.offsets().forEach(o -> committed.put(o.partition(), o));
    Map<String, List<Integer>> partitions = asked.partitions();
    if (partitions == null) {
      partitions = new LinkedHashMap<>();
      for (CommittedOffset o : new java.util.TreeMap<>(committed).values()) {
        partitions.computeIfAbsent(o.partition().topic(), t -> new ArrayList<>()).add(o.partition().partition());
      }
    }
    partitions.forEach((topic, ps) -> {
      OffsetFetchResponseData.OffsetFetchResponseTopics t = new OffsetFetchResponseData.OffsetFetchResponseTopics()
          .setName(topic).setTopicId(ids.getOrDefault(topic, Uuid.ZERO_UUID));
      for (int p : ps) {
        CommittedOffset o = committed.get(new TopicPartition(topic, p));
        t.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(p)
            .setCommittedOffset(o == null ? -1 : o.offset()).setCommittedLeaderEpoch(-1)
            .setMetadata(o == null ? "" : o.metadata())
            .setErrorCode(topic.isEmpty() ? Errors.UNKNOWN_TOPIC_ID.code() : Errors.NONE.code()));
      }
      group.topics().add(t);
    });
    return group;
  }
}
