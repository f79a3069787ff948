package dev.tributary.node.group;

import dev.tributary.protocol.message.PartitionRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The default assignor: balanced, and moving as few partitions as possible. A partition stays with
 * its current owner while that member still subscribes to its topic and holds no more than its
 * fair share; the rest go, one at a time, to the eligible member holding the fewest.
 */
final class StickyAssignor {

  private StickyAssignor() {}

  /**
   * @param subscriptions member id → subscribed topics
   * @param partitionsByTopic the partitions of every subscribed topic that exists
   * @param previous member id → its previous target assignment
   * @return member id → its new target assignment (every member present, maybe empty)
   */
  static Map<String, Set<PartitionRef>> assign(Map<String, Set<String>> subscriptions,
      Map<String, Integer> partitionsByTopic, Map<String, Set<PartitionRef>> previous) {
    Map<String, Set<PartitionRef>> result = new TreeMap<>();
    subscriptions.keySet().forEach(m -> result.put(m, new TreeSet<>()));
    if (subscriptions.isEmpty()) {
      return result;
    }
    List<PartitionRef> all = new ArrayList<>();
    new TreeMap<>(partitionsByTopic).forEach((topic, count) -> {
      boolean subscribed = subscriptions.values().stream().anyMatch(t -> t.contains(topic));
      for (int p = 0; subscribed && p < count; p++) {
        all.add(new PartitionRef(topic, p));
      }
    });
    int quota = (all.size() + subscriptions.size() - 1) / subscriptions.size();
    Map<PartitionRef, String> kept = new HashMap<>();
    for (Map.Entry<String, Set<PartitionRef>> e : new TreeMap<>(previous).entrySet()) {
      String member = e.getKey();
      if (!result.containsKey(member)) {
        continue;
      }
      for (PartitionRef p : e.getValue()) {
        boolean stillValid = partitionsByTopic.getOrDefault(p.topic(), 0) > p.partition()
            && subscriptions.get(member).contains(p.topic()) && !kept.containsKey(p);
        if (stillValid && result.get(member).size() < quota) {
          result.get(member).add(p);
          kept.put(p, member);
        }
      }
    }
    for (PartitionRef p : all) {
      if (kept.containsKey(p)) {
        continue;
      }
      result.entrySet().stream()
          .filter(e -> subscriptions.get(e.getKey()).contains(p.topic()))
          .min(Comparator.<Map.Entry<String, Set<PartitionRef>>>comparingInt(e -> e.getValue().size())
              .thenComparing(Map.Entry::getKey))
          .ifPresent(e -> e.getValue().add(p));
    }
    return result;
  }
}
