package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData.TopicProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * Kafka's Produce as our client's produce: each partition's one record batch goes, as the bytes
 * the producer sent, to the partition's leader with the request's acks and timeout. Kafka's
 * producer stamps the batch with its producer id, epoch and sequence, and the partition
 * deduplicates retries by them as it does our own producer's. With {@code acks=0} the batches are
 * sent and nothing is answered, as Kafka does.
 *
 * <p>The batches are sent in the order requests arrive: the listener calls {@link #answer} in
 * request order, and every send happens within that call when the topics are known, which they
 * are once the producer has had its Metadata answer from this broker's metadata.
 */
final class ProduceAnswers {

  private ProduceAnswers() {}

  /** The answer, or null for {@code acks=0}. */
  static CompletionStage<ProduceResponseData> answer(TributaryClient client, KnownTopics topics, ProduceRequest request) {
    Optional<Acks> acks = acks(request.acks());
    Duration timeout = Duration.ofMillis(Math.max(0, request.timeout()));
    List<CompletableFuture<TopicProduceResponse>> answers = new ArrayList<>();
    for (TopicProduceData asked : request.data().topicData()) {
      Optional<TopicMetadata> topic = topics.find(asked.name(), asked.topicId());
      List<CompletableFuture<PartitionProduceResponse>> partitions = new ArrayList<>();
      for (PartitionProduceData p : asked.partitionData()) {
        PartitionProduceResponse answer = new PartitionProduceResponse().setIndex(p.index()).setBaseOffset(-1)
            .setLogAppendTimeMs(-1).setLogStartOffset(-1);
        if (topic.isEmpty() && request.version() >= 13 && (asked.name() == null || asked.name().isEmpty())) {
          partitions.add(CompletableFuture.completedFuture(error(answer, Errors.UNKNOWN_TOPIC_ID,
              "no topic " + describe(asked) + ": it was deleted, or never existed")));
        } else if (topic.isEmpty() || p.index() < 0 || p.index() >= topic.get().partitions()) {
          partitions.add(CompletableFuture.completedFuture(error(answer, Errors.UNKNOWN_TOPIC_OR_PARTITION,
              "no partition " + p.index() + " of topic " + describe(asked) + ": create it, or check the name")));
        } else if (acks.isEmpty()) {
          partitions.add(CompletableFuture.completedFuture(error(answer, Errors.INVALID_REQUIRED_ACKS,
              "acks must be 0, 1 or -1 (all), got " + request.acks())));
        } else {
          partitions.add(send(client, topic.get().name(), p, acks.get(), timeout, answer));
        }
      }
      answers.add(CompletableFuture.allOf(partitions.toArray(CompletableFuture[]::new)).thenApply(done -> {
        // Produce v13 names topics by id, and before it by name: answer in the request's own terms.
        TopicProduceResponse t = request.version() >= 13 ? new TopicProduceResponse().setTopicId(asked.topicId())
            : new TopicProduceResponse().setName(asked.name());
        partitions.forEach(f -> t.partitionResponses().add(f.join()));
        return t;
      }));
    }
    if (request.acks() == 0) {
      // No answer; but a failure closes the connection, as Kafka does: the one way such a
      // producer learns of it (it then refreshes metadata and reconnects).
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
        for (CompletableFuture<TopicProduceResponse> t : answers) {
          for (PartitionProduceResponse p : t.join().partitionResponses()) {
            if (p.errorCode() != Errors.NONE.code()) {
              throw new KafkaErrors.CloseConnection("an acks=0 produce to partition " + p.index() + " failed: "
                  + Errors.forCode(p.errorCode()) + " " + p.errorMessage());
            }
          }
        }
        return null;
      });
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(done -> {
      ProduceResponseData out = new ProduceResponseData();
      answers.forEach(f -> out.responses().add(f.join()));
      return out;
    });
  }

  private static CompletableFuture<PartitionProduceResponse> send(TributaryClient client, String topic,
      PartitionProduceData p, Acks acks, Duration timeout, PartitionProduceResponse answer) {
    Optional<String> invalid = invalid((MemoryRecords) p.records());
    if (invalid.isPresent()) {
      return CompletableFuture.completedFuture(error(answer, Errors.INVALID_RECORD, invalid.get()));
    }
    // The partition checks the batch (sizes, CRC) as it checks every producer's: no second pass here.
    RecordBatch batch = RecordBatch.wrap(((MemoryRecords) p.records()).buffer());
    return client.produce(topic, p.index(), batch, acks, timeout).toCompletableFuture()
        .handle((ProduceResponse r, Throwable failed) -> {
          if (failed != null) {
            return error(answer, KafkaErrors.of(failed), KafkaErrors.message(failed));
          }
          if (r.error() != ErrorCode.NONE) {
            return error(answer, KafkaErrors.of(r.error()), r.errorMessage()).setLogStartOffset(r.logStartOffset());
          }
          return answer.setBaseOffset(r.baseOffset()).setLogAppendTimeMs(r.logAppendTime())
              .setLogStartOffset(r.logStartOffset());
        });
  }

  /** Why the partition's records cannot be stored as they are, if they cannot. */
  private static Optional<String> invalid(MemoryRecords records) {
    if (records == null || records.sizeInBytes() == 0) {
      return Optional.of("the partition's records are empty: send one record batch");
    }
    int count = 0;
    for (MutableRecordBatch b : records.batches()) {
      count++;
      if (b.magic() < org.apache.kafka.common.record.internal.RecordBatch.MAGIC_VALUE_V2) {
        return Optional.of("message format v" + b.magic() + " is not supported: only record batch v2 (Kafka 0.11 on)");
      }
      if (b.isTransactional() || b.isControlBatch()) {
        return Optional.of("transactional and control batches are not supported: produce without a transactional.id");
      }
    }
    // Kafka asks the same of Produce v3 and later: one batch per partition per request.
    return count == 1 ? Optional.empty() : Optional.of("a produce request must hold exactly one record batch per "
        + "partition, got " + count);
  }

  private static Optional<Acks> acks(short acks) {
    return switch (acks) {
      case 0, 1 -> Optional.of(Acks.LEADER); // 0: stored as with 1, but no answer
      case -1 -> Optional.of(Acks.ALL);
      default -> Optional.empty();
    };
  }

  private static PartitionProduceResponse error(PartitionProduceResponse answer, Errors error, String message) {
    return answer.setErrorCode(error.code()).setErrorMessage(message).setBaseOffset(-1);
  }

  private static String describe(TopicProduceData asked) {
    return asked.name() != null && !asked.name().isEmpty() ? "'" + asked.name() + "'" : "with id " + asked.topicId();
  }
}
