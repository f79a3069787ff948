package dev.tributary.node;

import com.typesafe.config.Config;
import dev.tributary.kafka.TopicRules;
import dev.tributary.node.controller.ControllerState;
import java.util.Map;
import java.util.Optional;

/**
 * This broker's topic defaults and the controller's own checks, for the Kafka listener's admin
 * APIs: what DescribeConfigs reports for a key a topic does not set, and what a validate-only
 * CreateTopics or IncrementalAlterConfigs is told.
 */
record BrokerTopicRules(TopicConfig topicDefaults, int defaultReplicationFactor) implements TopicRules {

  static BrokerTopicRules fromConfig(Config config, long journalSegmentBytes) {
    return new BrokerTopicRules(TopicConfig.defaults(config, journalSegmentBytes),
        config.getInt("tributary.broker.default-replication-factor"));
  }

  @Override
  public Map<String, String> defaults() {
    return topicDefaults.asMap();
  }

  @Override
  public Optional<String> configProblem(Map<String, String> configs) {
    return TopicConfig.problem(configs);
  }

  @Override
  public Optional<String> partitionsProblem(int partitions) {
    return partitions >= 1 && partitions <= ControllerState.MAX_PARTITIONS ? Optional.empty()
        : Optional.of("partitions must be between 1 and " + ControllerState.MAX_PARTITIONS + ", got " + partitions);
  }
}
