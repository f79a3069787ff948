package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.record.Header;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
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

/** Pekko Streams over Tributary: a {@link Source} of a partition's records, a {@link Sink} into a topic. */
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
      for (RecordBatch batch : RecordBatch.split(ByteBuffer.wrap(r.records()))) {
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
}
