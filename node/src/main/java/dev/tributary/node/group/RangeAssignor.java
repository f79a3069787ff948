package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's {@code range}: topic by topic, each subscribed member (in member id order) gets a
 * contiguous run of partitions, the first ones one extra when the count does not divide evenly.
 * Members subscribed to the same topics get the same partition numbers of each, which suits joins
 * of co-partitioned topics; it ignores the previous assignment, so a change may move a lot.
 */
final class RangeAssignor implements Assignor {

  static final String NAME = "range";

  @Override
  public Map<String, Set<TopicPartition>> assign(Map<String, Set<String>> subscriptions,
      Map<String, Integer> partitionsByTopic, Map<String, Set<TopicPartition>> previous) {
    Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
    new TreeMap<>(partitionsByTopic).forEach((topic, count) -> {
      List<String> members = Assignor.subscribers(subscriptions, topic);
      if (members.isEmpty()) {
        return;
      }
      int base = count / members.size();
      int extras = count % members.size();
      int next = 0;
      for (int i = 0; i < members.size(); i++) {
        int share = base + (i < extras ? 1 : 0);
        for (int p = next; p < next + share; p++) {
          result.get(members.get(i)).add(new TopicPartition(topic, p));
        }
        next += share;
      }
    });
    return result;
  }
}
