package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.pekko.util.ByteString;

/**
 * Kafka's Fetch as our client's fetches, one per partition, and the stored batches handed back as
 * they are: they are Kafka's record batch v2 on disk, so nothing is decoded or re-encoded.
 *
 * <p>The long poll: every partition is read at once without waiting; if that gives fewer than
 * {@code min_bytes}, every partition is asked again with {@code max_wait_ms}, and the answer goes
 * as soon as one of them has data (or all waited in vain). Limits: each partition at most its
 * {@code partition_max_bytes}, the whole answer at most {@code max_bytes}, except that the first
 * partition with data is always answered whole, so a batch larger than the limits is still
 * delivered, as Kafka does.
 *
 * <p>No fetch sessions (KIP-227): every answer has session id 0, which tells the consumer to send
 * full fetch requests. No transactions, so the last stable offset is the high watermark.
 */
final class FetchAnswers {

  private FetchAnswers() {}

  /** One partition asked for, resolved to our topic (or not found). */
  private record Asked(FetchTopic topic, Optional<TopicMetadata> known, FetchPartition partition) {
    boolean exists() {
      return known.isPresent() && partition.partition() >= 0 && partition.partition() < known.get().partitions();
    }
  }

  static CompletionStage<FetchResponseData> answer(TributaryClient client, KnownTopics topics, FetchRequest request) {
    if (request.data().sessionId() != 0) { // never handed out: see the class comment
      return CompletableFuture.completedFuture(new FetchResponseData()
          .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
    }
    List<Asked> asked = new ArrayList<>();
    for (FetchTopic t : request.data().topics()) {
      Optional<TopicMetadata> known = topics.find(t.topic(), t.topicId());
      t.partitions().forEach(p -> asked.add(new Asked(t, known, p)));
    }
    int maxWaitMs = Math.max(0, request.data().maxWaitMs());
    int minBytes = Math.max(0, request.data().minBytes());
    return fetchAll(client, asked, Duration.ZERO).thenCompose(now -> {
      // No partitions: a consumer closing its fetch session (epoch -1) waits for this answer.
      if (asked.isEmpty() || maxWaitMs == 0 || bytes(now) >= Math.max(1, minBytes) || anyError(now)) {
        return CompletableFuture.completedFuture(now);
      }
      return firstWithData(client, asked, Duration.ofMillis(maxWaitMs), now);
    }).thenApply(results -> response(request, asked, results));
  }

  /** Every partition's fetch, in request order; a partition that does not exist answers at once. */
  private static CompletableFuture<List<FetchResponse>> fetchAll(TributaryClient client, List<Asked> asked,
      Duration wait) {
    List<CompletableFuture<FetchResponse>> fetches = new ArrayList<>();
    for (Asked a : asked) {
      fetches.add(fetch(client, a, wait));
    }
    return CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new))
        .thenApply(done -> fetches.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Waits on every partition at once and completes as soon as one has data or an error, with that
   * partition's answer in place of its earlier, empty one; the others' waits run out unheard.
   */
  private static CompletableFuture<List<FetchResponse>> firstWithData(TributaryClient client, List<Asked> asked,
      Duration wait, List<FetchResponse> before) {
    CompletableFuture<List<FetchResponse>> first = new CompletableFuture<>();
    List<FetchResponse> results = new ArrayList<>(before);
    AtomicInteger waiting = new AtomicInteger(asked.size());
    for (int i = 0; i < asked.size(); i++) {
      int index = i;
      fetch(client, asked.get(i), wait).whenComplete((r, never) -> {
        synchronized (results) {
          if (!first.isDone() && (!r.records().isEmpty() || r.error() != ErrorCode.NONE)) {
            results.set(index, r);
            first.complete(List.copyOf(results));
          }
        }
        if (waiting.decrementAndGet() == 0) {
          synchronized (results) {
            first.complete(List.copyOf(results));
          }
        }
      });
    }
    return first;
  }

  private static CompletableFuture<FetchResponse> fetch(TributaryClient client, Asked a, Duration wait) {
    FetchPartition p = a.partition();
    if (!a.exists()) {
      return CompletableFuture.completedFuture(new FetchResponse(0, a.known().map(TopicMetadata::name).orElse(""),
          p.partition(), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "no such topic or partition", -1, -1, ByteString.emptyByteString()));
    }
    String topic = a.known().get().name();
    return client.fetch(topic, p.partition(), p.fetchOffset(), Math.max(1, p.partitionMaxBytes()), wait)
        .toCompletableFuture()
        .exceptionally(failed -> new FetchResponse(0, topic, p.partition(), ErrorCode.REQUEST_TIMED_OUT,
            KafkaErrors.message(failed), -1, -1, ByteString.emptyByteString()));
  }

  private static FetchResponseData response(FetchRequest request, List<Asked> asked, List<FetchResponse> results) {
    FetchResponseData out = new FetchResponseData().setSessionId(0);
    int maxBytes = request.data().maxBytes() <= 0 ? Integer.MAX_VALUE : request.data().maxBytes();
    long answered = 0;
    FetchTopic currentTopic = null;
    FetchableTopicResponse current = null;
    for (int i = 0; i < asked.size(); i++) {
      Asked a = asked.get(i);
      FetchResponse r = results.get(i);
      if (a.topic() != currentTopic) { // a request topic's partitions are consecutive in asked
        currentTopic = a.topic();
        // Fetch v13 on names topics by id, and before it by name: each version writes only its own.
        current = request.version() >= 13 ? new FetchableTopicResponse().setTopicId(topicId(a))
            : new FetchableTopicResponse().setTopic(currentTopic.topic());
        out.responses().add(current);
      }
      PartitionData p = new PartitionData().setPartitionIndex(a.partition().partition())
          .setHighWatermark(r.highWatermark()).setLastStableOffset(r.highWatermark())
          .setLogStartOffset(r.logStartOffset());
      if (r.error() != ErrorCode.NONE) {
        Errors error = r.error() == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && a.known().isEmpty()
            && request.version() >= 13 ? Errors.UNKNOWN_TOPIC_ID : KafkaErrors.of(r.error());
        p.setErrorCode(error.code()).setRecords(MemoryRecords.EMPTY);
      } else if (answered == 0 || answered + r.records().size() <= maxBytes) {
        answered += r.records().size();
        p.setRecords(new StoredRecords(r.records()));
      } else {
        p.setRecords(MemoryRecords.EMPTY); // over max_bytes: the consumer fetches it next time
      }
      current.partitions().add(p);
    }
    return out;
  }

  private static Uuid topicId(Asked a) {
    return a.known().map(t -> MetadataAnswers.uuid(t.topicId())).orElse(a.topic().topicId());
  }

  private static long bytes(List<FetchResponse> results) {
    return results.stream().mapToLong(r -> r.records().size()).sum();
  }

  private static boolean anyError(List<FetchResponse> results) {
    return results.stream().anyMatch(r -> r.error() != ErrorCode.NONE);
  }
}
