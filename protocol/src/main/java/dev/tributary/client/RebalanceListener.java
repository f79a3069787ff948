package dev.tributary.client;

import java.util.Collection;

/**
 * Told when the group moves partitions to or from this consumer. {@code onPartitionsRevoked} runs
 * inside {@link Consumer#poll} before the partitions are handed to another member (their
 * positions are committed right after it), {@code onPartitionsAssigned} once new ones are ready.
 */
public interface RebalanceListener {

  RebalanceListener NONE = new RebalanceListener() {};

  default void onPartitionsRevoked(Collection<TopicPartition> partitions) {}

  default void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
}
