package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * Kafka's ListOffsets as our client's: earliest, latest, and the first offset at or after a
 * timestamp. Kafka answers a timestamp lookup with the found record's own timestamp (its clients
 * refuse a negative one), which our partition does not return, so that record is read back with a
 * small fetch. The log has no tiers: the earliest local offset is the earliest. The largest
 * timestamp (-3) and the tiered specs are answered {@code UNSUPPORTED_VERSION} per partition.
 */
final class ListOffsetsAnswers {

  /** Enough to read the batch holding the found offset, which is at least one whole batch anyway. */
  private static final int TIMESTAMP_READ_BYTES = 1;

  private ListOffsetsAnswers() {}

  static CompletionStage<ListOffsetsResponseData> answer(TributaryClient client, KnownTopics topics,
      ListOffsetsRequest request) {
    List<CompletableFuture<ListOffsetsTopicResponse>> answers = new ArrayList<>();
    for (ListOffsetsTopic asked : request.data().topics()) {
      Optional<TopicMetadata> topic = topics.find(asked.name(), null);
      List<CompletableFuture<ListOffsetsPartitionResponse>> partitions = new ArrayList<>();
      for (ListOffsetsPartition p : asked.partitions()) {
        ListOffsetsPartitionResponse answer = new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex())
            .setOffset(-1).setTimestamp(-1);
        if (topic.isEmpty() || p.partitionIndex() < 0 || p.partitionIndex() >= topic.get().partitions()) {
          partitions.add(CompletableFuture.completedFuture(answer.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())));
        } else {
          partitions.add(lookUp(client, topic.get(), p, answer, request.version()));
        }
      }
      answers.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(done -> {
        ListOffsetsTopicResponse t = new ListOffsetsTopicResponse().setName(asked.name());
        partitions.forEach(f -> t.partitions().add(f.join()));
        return t;
      }));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
      ListOffsetsResponseData out = new ListOffsetsResponseData();
      answers.forEach(f -> out.topics().add(f.join()));
      return out;
    });
  }

  private static CompletableFuture<ListOffsetsPartitionResponse> lookUp(TributaryClient client, TopicMetadata topic,
      ListOffsetsPartition p, ListOffsetsPartitionResponse answer, short version) {
    long spec = p.timestamp();
    long ours;
    if (spec == ListOffsetsRequest.LATEST_TIMESTAMP) {
      ours = ListOffsets.LATEST;
    } else if (spec == ListOffsetsRequest.EARLIEST_TIMESTAMP || spec == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
      ours = ListOffsets.EARLIEST;
    } else if (spec >= 0) {
      ours = spec;
    } else {
      return CompletableFuture.completedFuture(answer.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
    }
    if (version >= 4) { // the leader epoch came with v4; older versions cannot write it
      answer.setLeaderEpoch(topic.partition(p.partitionIndex()).map(PartitionInfo::leaderEpoch)
          .orElse(RecordBatch.NO_PARTITION_LEADER_EPOCH));
    }
    CompletableFuture<ListOffsetsPartitionResponse> found = client.listOffsets(topic.name(), p.partitionIndex(), ours)
        .toCompletableFuture()
        .thenCompose(r -> spec >= 0 && r.offset() >= 0
            ? timestampAt(client, topic.name(), p.partitionIndex(), r.offset()).thenApply(ts ->
                answer.setOffset(r.offset()).setTimestamp(ts >= 0 ? ts : spec))
            : CompletableFuture.completedFuture(answer.setOffset(r.offset())));
    return found.exceptionally(failed -> answer.setErrorCode(KafkaErrors.of(failed).code()).setOffset(-1));
  }

  /** The timestamp of the record at {@code offset}, read from its stored batch. */
  private static CompletableFuture<Long> timestampAt(TributaryClient client, String topic, int partition, long offset) {
    return client.fetch(topic, partition, offset, TIMESTAMP_READ_BYTES, Duration.ZERO).toCompletableFuture()
        .thenApply(fetched -> {
          for (RecordBatch batch : MemoryRecords.readableRecords(fetched.records().asByteBuffer()).batches()) {
            for (Record record : batch) {
              if (record.offset() >= offset) {
                return record.timestamp();
              }
            }
          }
          return -1L;
        });
  }
}
