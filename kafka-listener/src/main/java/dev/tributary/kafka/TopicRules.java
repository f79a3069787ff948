package dev.tributary.kafka;

import java.util.Map;
import java.util.Optional;

/**
 * What the broker knows about topic configs and that a Kafka admin request needs before it reaches
 * the controller: the effective defaults DescribeConfigs reports for a key a topic does not set, and
 * the checks a {@code validateOnly} request runs (the controller runs the same checks on a real
 * change, so both say the same).
 */
public interface TopicRules {

  /** Every topic config key with the value a topic that sets none gets on this broker. */
  Map<String, String> defaults();

  /** The replication factor of a topic created without one ({@code default-replication-factor}). */
  int defaultReplicationFactor();

  /** What is wrong with these topic configs (an unknown key, a value out of range), or empty. */
  Optional<String> configProblem(Map<String, String> configs);

  /** What is wrong with this partition count for a new topic, or empty. */
  Optional<String> partitionsProblem(int partitions);
}
