package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.record.Header;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Pekko Streams over Tributary, in the style of pekko-connectors-kafka: a {@link Source} of a
 * partition's records, a {@link Sink} into a topic, and for consumer groups a committable source
 * with a committer sink that batches commits.
 */
public final class TributaryStreams {

  private TributaryStreams() {}

  /** What to produce: a record for a topic (key may be null). */
  public record ProducerMessage(String topic, byte[] key, byte[] value, List<Header> headers) {
    public static ProducerMessage of(String topic, byte[] key, byte[] value) {
      return new ProducerMessage(topic, key, value, List.of());
    }
  }

  /**
   * The records of one partition from {@code fromOffset} on, then new ones as they arrive (long
   * polls, one fetch at a time: back-pressure reaches the broker).
   */
  public static Source<ConsumerRecord, NotUsed> partitionSource(
      TributaryClient client, TopicPartition tp, long fromOffset, int maxBytes, Duration maxWait) {
    return Source.unfoldAsync(fromOffset, offset -> fetchFrom(client, tp, offset, maxBytes, maxWait))
        .mapConcat(records -> records);
  }

  private static CompletionStage<Optional<Pair<Long, List<ConsumerRecord>>>> fetchFrom(
      TributaryClient client, TopicPartition tp, long offset, int maxBytes, Duration maxWait) {
    return client.fetch(tp.topic(), tp.partition(), offset, maxBytes, maxWait).thenApply(r -> {
      if (r.error() != ErrorCode.NONE) {
        if (r.error().retriable()) {
          return Optional.of(Pair.create(offset, List.<ConsumerRecord>of()));
        }
        throw new TributaryException(r.error(), r.errorMessage());
      }
      List<ConsumerRecord> out = new ArrayList<>();
      long next = offset;
      for (RecordBatch batch : r.batches()) {
        for (Record rec : batch.records()) {
          if (rec.offset() >= offset) {
            out.add(new ConsumerRecord(tp.topic(), tp.partition(), rec.offset(), rec.timestamp(),
                rec.key(), rec.value(), rec.headers()));
            next = rec.offset() + 1;
          }
        }
      }
      return Optional.of(Pair.create(next, out));
    });
  }

  /**
   * A sink that sends every message through {@code producer}, up to {@code parallelism}
   * unacknowledged at once; it completes when the stream has and every record is acknowledged,
   * and fails with the first record that fails.
   */
  public static Sink<ProducerMessage, CompletionStage<Done>> sink(Producer producer, int parallelism) {
    return Flow.<ProducerMessage>create()
        .mapAsync(parallelism, m -> producer.send(m.topic(), null, m.key(), m.value(), m.headers(),
            System.currentTimeMillis()))
        .toMat(Sink.ignore(), Keep.right());
  }

  // ---------------------------------------------------------------- consumer groups

  /** Commits offsets for the group member a {@link CommittableOffset} came from. */
  @FunctionalInterface
  public interface OffsetCommitter {
    CompletionStage<Void> commit(java.util.Map<TopicPartition, OffsetAndMetadata> offsets);
  }

  /**
   * Where a record sits, to commit once it is processed: committing it stores {@code offset + 1},
   * the next record to read, as Kafka's committable offsets do.
   */
  public record CommittableOffset(String groupId, TopicPartition partition, long offset, OffsetCommitter committer) {}

  /** One member: its consumer, and the one committer every offset it emits shares (batches group by it). */
  private record GroupSession(Consumer consumer, OffsetCommitter committer) {}

  /** A record from a group, with the offset to commit when it has been handled. */
  public record CommittableRecord(ConsumerRecord record, CommittableOffset committableOffset) {}

  /**
   * Joins {@code groupId} for {@code topics} and emits the records of the partitions the group
   * assigns, each with its {@link CommittableOffset}; nothing is committed until the offsets reach a
   * {@link #committer} (at-least-once: after a rebalance or a crash the new owner resumes from the
   * last commit). Auto-commit is off whatever {@code settings} say. The consumer polls on Pekko's
   * blocking-I/O dispatcher. Stop it with the materialized kill switch: the member then leaves the
   * group; let the committer finish first, or its last batch is refused and read again later.
   */
  public static Source<CommittableRecord, org.apache.pekko.stream.UniqueKillSwitch> committableSource(
      TributaryClient client, ConsumerSettings settings, String groupId, List<String> topics) {
    ConsumerSettings manual = settings.withAutoCommitInterval(Duration.ZERO);
    return Source.<List<CommittableRecord>, GroupSession>unfoldResource(
            () -> {
              Consumer consumer = new Consumer(client, manual);
              consumer.subscribe(groupId, topics, RebalanceListener.NONE);
              return new GroupSession(consumer, consumer::commitAsync);
            },
            session -> {
              List<CommittableRecord> out = new ArrayList<>();
              for (ConsumerRecord r : session.consumer().poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                out.add(new CommittableRecord(r, new CommittableOffset(groupId, tp, r.offset(), session.committer())));
              }
              return Optional.of(out);
            },
            session -> session.consumer().close())
        .mapConcat(records -> records)
        .viaMat(org.apache.pekko.stream.KillSwitches.single(), Keep.right());
  }

  /**
   * Commits the offsets that reach it in batches: whatever arrived within {@code maxInterval}, at
   * most {@code maxBatch} offsets, as one commit per member carrying the highest offset of each
   * partition. A commit the group refuses because the partition has moved on (the member no longer
   * owns it, or left) is dropped: the new owner reads from the last commit. Any other failure fails
   * the stream. Completes when the stream has and the last batch is committed.
   */
  public static Sink<CommittableOffset, CompletionStage<Done>> committer(int maxBatch, Duration maxInterval) {
    return Flow.<CommittableOffset>create()
        .groupedWithin(maxBatch, maxInterval)
        .mapAsync(1, TributaryStreams::commitBatch)
        .toMat(Sink.ignore(), Keep.right());
  }

  private static CompletionStage<Done> commitBatch(List<CommittableOffset> batch) {
    java.util.Map<OffsetCommitter, java.util.Map<TopicPartition, OffsetAndMetadata>> byMember =
        new java.util.LinkedHashMap<>();
    for (CommittableOffset o : batch) {
      byMember.computeIfAbsent(o.committer(), c -> new java.util.HashMap<>())
          .merge(o.partition(), new OffsetAndMetadata(o.offset() + 1),
              (a, b) -> a.offset() >= b.offset() ? a : b);
    }
    List<java.util.concurrent.CompletableFuture<Void>> commits = new ArrayList<>();
    byMember.forEach((committer, offsets) -> commits.add(commitTolerantly(committer, offsets)));
    return java.util.concurrent.CompletableFuture.allOf(commits.toArray(java.util.concurrent.CompletableFuture[]::new))
        .thenApply(done -> Done.getInstance());
  }

  private static java.util.concurrent.CompletableFuture<Void> commitTolerantly(
      OffsetCommitter committer, java.util.Map<TopicPartition, OffsetAndMetadata> offsets) {
    CompletionStage<Void> commit;
    try {
      commit = committer.commit(offsets);
    } catch (IllegalStateException closed) {
      return java.util.concurrent.CompletableFuture.completedFuture(null); // the member has left
    }
    return commit.toCompletableFuture().exceptionally(error -> {
      Throwable cause = Failures.cause(error);
      if (cause instanceof TributaryException t && MOVED_ON.contains(t.code())) {
        return null;
      }
      throw error instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
    });
  }

  /** Refusals that mean the partition has moved on: its new owner resumes from the last commit. */
  private static final java.util.Set<ErrorCode> MOVED_ON = java.util.EnumSet.of(
      ErrorCode.NOT_PARTITION_OWNER, ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.UNKNOWN_MEMBER_ID);
}
