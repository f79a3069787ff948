package dev.tributary.client;

import java.time.Duration;

/**
 * How a {@link Consumer} fetches.
 *
 * @param maxPartitionFetchBytes bytes per partition per fetch (Kafka's {@code max.partition.fetch.bytes})
 * @param maxWait how long the broker may hold a fetch open waiting for data ({@code fetch.max.wait.ms})
 * @param maxPollRecords records one {@link Consumer#poll} returns at most
 * @param autoOffsetReset where to start a partition that has no position, or whose position is gone
 */
public record ConsumerSettings(int maxPartitionFetchBytes, Duration maxWait, int maxPollRecords,
    OffsetReset autoOffsetReset) {

  /** Kafka's {@code auto.offset.reset}. */
  public enum OffsetReset { EARLIEST, LATEST, NONE }

  public static ConsumerSettings defaults() {
    return new ConsumerSettings(1024 * 1024, Duration.ofMillis(500), 500, OffsetReset.LATEST);
  }

  public ConsumerSettings withAutoOffsetReset(OffsetReset reset) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, maxPollRecords, reset);
  }

  public ConsumerSettings withMaxPollRecords(int value) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, value, autoOffsetReset);
  }

  public ConsumerSettings withMaxPartitionFetchBytes(int value) {
    return new ConsumerSettings(value, maxWait, maxPollRecords, autoOffsetReset);
  }
}
