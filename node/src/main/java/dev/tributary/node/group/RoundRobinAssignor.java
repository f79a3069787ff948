package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's {@code roundrobin}: every partition of every topic (by topic, then number) is dealt in
 * turn to the members (in member id order), skipping members not subscribed to its topic. Spreads
 * each topic across members; ignores the previous assignment, so a change may move a lot.
 */
final class RoundRobinAssignor implements Assignor {

  static final String NAME = "round-robin";

  @Override
  public Map<String, Set<TopicPartition>> assign(Map<String, Set<String>> subscriptions,
      Map<String, Integer> partitionsByTopic, Map<String, Set<TopicPartition>> previous) {
    Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
    List<String> members = List.copyOf(result.keySet());
    int turn = 0;
    for (Map.Entry<String, Integer> topic : new TreeMap<>(partitionsByTopic).entrySet()) {
      for (int p = 0; p < topic.getValue(); p++) {
        // The next member, in turn, that subscribes to this topic (none: the partition waits).
        for (int tried = 0; tried < members.size(); tried++) {
          String member = members.get(turn++ % members.size());
          if (subscriptions.get(member).contains(topic.getKey())) {
            result.get(member).add(new TopicPartition(topic.getKey(), p));
            break;
          }
        }
      }
    }
    return result;
  }
}
