package dev.tributary.client;

import java.time.Duration;

/**
 * How a {@link Consumer} fetches.
 *
 * @param maxPartitionFetchBytes bytes per partition per fetch (Kafka's {@code max.partition.fetch.bytes})
 * @param maxWait how long the broker may hold a fetch open waiting for data ({@code fetch.max.wait.ms})
 * @param maxPollRecords records one {@link Consumer#poll} returns at most
 * @param autoOffsetReset where to start a partition that has no position, or whose position is gone
 * @param autoCommitInterval in a group, commit the positions this often from {@code poll}
 *     (Kafka's {@code enable.auto.commit} and {@code auto.commit.interval.ms}); zero turns it off
 * @param assignor in a group, the server-side assignor this member prefers: {@code sticky}
 *     (default: a change moves as few partitions as possible), {@code range} or {@code
 *     round-robin} (Kafka's {@code group.remote.assignor}); the group uses the one most members
 *     prefer
 * @param maxPollInterval in a group, the longest time between polls before the member leaves so
 *     its partitions move to the others (Kafka's {@code max.poll.interval.ms}); the next poll
 *     joins again
 */
public record ConsumerSettings(int maxPartitionFetchBytes, Duration maxWait, int maxPollRecords,
    OffsetReset autoOffsetReset, Duration autoCommitInterval, String assignor, Duration maxPollInterval) {

  /** Kafka's {@code auto.offset.reset}. */
  public enum OffsetReset { EARLIEST, LATEST, NONE }

  public static ConsumerSettings defaults() {
    return new ConsumerSettings(1024 * 1024, Duration.ofMillis(500), 500, OffsetReset.LATEST, Duration.ofSeconds(5),
        "sticky", Duration.ofMinutes(5));
  }

  public ConsumerSettings withAutoOffsetReset(OffsetReset reset) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, maxPollRecords, reset, autoCommitInterval, assignor, maxPollInterval);
  }

  public ConsumerSettings withMaxPollRecords(int value) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, value, autoOffsetReset, autoCommitInterval, assignor, maxPollInterval);
  }

  public ConsumerSettings withMaxPartitionFetchBytes(int value) {
    return new ConsumerSettings(value, maxWait, maxPollRecords, autoOffsetReset, autoCommitInterval, assignor, maxPollInterval);
  }

  /** Auto-commit every {@code interval} in a group; {@link Duration#ZERO} turns it off. */
  public ConsumerSettings withAutoCommitInterval(Duration interval) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, maxPollRecords, autoOffsetReset, interval, assignor, maxPollInterval);
  }

  /** The server-side assignor this member prefers: {@code sticky}, {@code range} or {@code round-robin}. */
  public ConsumerSettings withAssignor(String name) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, maxPollRecords, autoOffsetReset, autoCommitInterval, name, maxPollInterval);
  }

  /** Kafka's {@code max.poll.interval.ms}: past it without a poll, the member leaves its group. */
  public ConsumerSettings withMaxPollInterval(Duration value) {
    return new ConsumerSettings(maxPartitionFetchBytes, maxWait, maxPollRecords, autoOffsetReset, autoCommitInterval,
        assignor, value);
  }
}
