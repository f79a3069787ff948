package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which member of a group consumes which partition. The coordinator runs it (server-side
 * assignment, as in Kafka's KIP-848) whenever members or partitions change; members pick one by
 * name and the group uses the one most of them ask for.
 */
interface Assignor {

  /** The assignor a member gets when it names none. */
  String DEFAULT = StickyAssignor.NAME;

  /** Every assignor, by the name members ask for. */
  Map<String, Assignor> ALL = Map.of(
      StickyAssignor.NAME, new StickyAssignor(),
      RangeAssignor.NAME, new RangeAssignor(),
      RoundRobinAssignor.NAME, new RoundRobinAssignor());

  static Optional<Assignor> named(String name) {
    return Optional.ofNullable(ALL.get(name));
  }

  /**
   * @param subscriptions member id → subscribed topics
   * @param partitionsByTopic the partitions of every subscribed topic that exists
   * @param previous member id → its previous target assignment (only the sticky assignor looks)
   * @return member id → its new target assignment (every member present, maybe empty)
   */
  Map<String, Set<TopicPartition>> assign(Map<String, Set<String>> subscriptions,
      Map<String, Integer> partitionsByTopic, Map<String, Set<TopicPartition>> previous);

  /** An empty assignment for every member, in member id order. */
  static Map<String, Set<TopicPartition>> emptyAssignment(Map<String, Set<String>> subscriptions) {
    Map<String, Set<TopicPartition>> result = new TreeMap<>();
    subscriptions.keySet().forEach(m -> result.put(m, new TreeSet<>()));
    return result;
  }

  /** The members subscribed to {@code topic}, in member id order. */
  static List<String> subscribers(Map<String, Set<String>> subscriptions, String topic) {
    List<String> out = new ArrayList<>();
    new TreeMap<>(subscriptions).forEach((member, topics) -> {
      if (topics.contains(topic)) {
        out.add(member);
      }
    });
    return out;
  }
}
