package dev.tributary.client;

import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.record.Compression;
import java.time.Duration;

/**
 * How a {@link Producer} batches and sends, with Kafka's defaults where Kafka has one.
 *
 * @param batchSize bytes per partition batch before it is sent (Kafka's {@code batch.size})
 * @param linger how long a batch may wait for more records (Kafka's {@code linger.ms})
 * @param maxInFlight unanswered batches per partition
 * @param retries how often a batch is resent after a retriable error (Kafka's default: no limit
 *     but {@code deliveryTimeout})
 * @param retryBackoff wait before a resend
 * @param requestTimeout how long one attempt may take to reach its partition; the broker drops it
 *     after that, and the client reports it unacknowledged if no answer came a few seconds later
 * @param idempotence stamp producer id and sequence numbers, so retries never duplicate
 * @param deliveryTimeout how long a batch may take from being closed to its final answer,
 *     retries included (Kafka's {@code delivery.timeout.ms})
 * @param maxBatchSize how large a partition's batch may grow while all its {@code maxInFlight}
 *     slots are taken (Kafka has no such setting; {@code batchSize} disables the growth). Records
 *     that would wait for a free slot anyway then go in fewer, larger batches, so a backlogged
 *     partition sends more per round trip: with {@code acks=all} each round trip includes the
 *     followers' copies. Keep it at or below the topic's {@code max.message.bytes}.
 * @param compression the codec of each batch's records (Kafka's {@code compression.type}; none by
 *     default, as Kafka's producer): the broker stores a compressed batch as it came, and
 *     consumers, ours and Kafka's, decompress it
 */
public record ProducerSettings(
    Acks acks, int batchSize, Duration linger, int maxInFlight, int retries, Duration retryBackoff,
    Duration requestTimeout, boolean idempotence, Duration deliveryTimeout, int maxBatchSize, Compression compression) {

  /** The default {@code maxBatchSize}: a quarter of Kafka's default {@code max.message.bytes}. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 256 * 1024;

  public ProducerSettings {
    java.util.Objects.requireNonNull(compression, "compression");
    if (batchSize <= 0 || maxBatchSize <= 0) {
      throw new IllegalArgumentException("batchSize and maxBatchSize must be positive, got " + batchSize + " and " + maxBatchSize);
    }
  }

  public static ProducerSettings defaults() {
    // Kafka's defaults: 5 batches in flight per partition (brokers remember 32 per producer, so
    // up to that many are safe to retry). More in flight raises single-partition throughput but
    // with linger 0 turns every record into a request and lengthens the latency tail.
    // Retries are bounded by time, not count, as in Kafka since 2.1: right after a topic is
    // created, batches can be refused and overtake each other for a while (each then waits for
    // the ones before it with OUT_OF_ORDER_SEQUENCE), and a count of 10 ran out in about a second.
    return new ProducerSettings(Acks.ALL, 16 * 1024, Duration.ofMillis(5), 5, Integer.MAX_VALUE,
        Duration.ofMillis(100), Duration.ofSeconds(30), true, Duration.ofSeconds(120), DEFAULT_MAX_BATCH_SIZE,
        Compression.NONE);
  }

  public ProducerSettings withAcks(Acks value) {
    return new ProducerSettings(value, batchSize, linger, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withBatchSize(int value) {
    return new ProducerSettings(acks, value, linger, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withLinger(Duration value) {
    return new ProducerSettings(acks, batchSize, value, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withMaxInFlight(int value) {
    return new ProducerSettings(acks, batchSize, linger, value, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withRetries(int value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, value, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withRequestTimeout(Duration value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, retries, retryBackoff, value, idempotence, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withIdempotence(boolean value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, retries, retryBackoff, requestTimeout, value, deliveryTimeout, maxBatchSize, compression);
  }

  public ProducerSettings withDeliveryTimeout(Duration value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, value, maxBatchSize, compression);
  }

  public ProducerSettings withMaxBatchSize(int value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, value, compression);
  }

  public ProducerSettings withCompression(Compression value) {
    return new ProducerSettings(acks, batchSize, linger, maxInFlight, retries, retryBackoff, requestTimeout, idempotence, deliveryTimeout, maxBatchSize, value);
  }
}
