package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
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
final class StickyAssignor implements Assignor {

  static final String NAME = "sticky";

  @Override
  public Map<String, Set<TopicPartition>> assign(Map<String, Set<String>> subscriptions,
      Map<String, Integer> partitionsByTopic, Map<String, Set<TopicPartition>> previous) {
    Map<String, Set<TopicPartition>> result = Assignor.emptyAssignment(subscriptions);
    if (subscriptions.isEmpty()) {
      return result;
    }
    List<TopicPartition> all = new ArrayList<>();
    new TreeMap<>(partitionsByTopic).forEach((topic, count) -> {
      boolean subscribed = subscriptions.values().stream().anyMatch(t -> t.contains(topic));
      for (int p = 0; subscribed && p < count; p++) {
        all.add(new TopicPartition(topic, p));
      }
    });
    // Exact balance: every member gets `base` partitions and `extras` of them one more. A member
    // keeps what it had up to `base`, then, while extra places remain, one more.
    int base = all.size() / subscriptions.size();
    int extras = all.size() % subscriptions.size();
    Map<TopicPartition, String> kept = new HashMap<>();
    Map<String, List<TopicPartition>> keepable = new TreeMap<>();
    for (Map.Entry<String, Set<TopicPartition>> e : new TreeMap<>(previous).entrySet()) {
      String member = e.getKey();
      if (!result.containsKey(member)) {
        continue;
      }
      List<TopicPartition> valid = new ArrayList<>();
      for (TopicPartition p : e.getValue()) {
        if (partitionsByTopic.getOrDefault(p.topic(), 0) > p.partition()
            && subscriptions.get(member).contains(p.topic())) {
          valid.add(p);
        }
      }
      keepable.put(member, valid);
    }
    for (Map.Entry<String, List<TopicPartition>> e : keepable.entrySet()) {
      for (TopicPartition p : e.getValue()) {
        if (result.get(e.getKey()).size() < base && !kept.containsKey(p)) {
          result.get(e.getKey()).add(p);
          kept.put(p, e.getKey());
        }
      }
    }
    for (Map.Entry<String, List<TopicPartition>> e : keepable.entrySet()) {
      if (extras == 0) {
        break;
      }
      for (TopicPartition p : e.getValue()) {
        if (!kept.containsKey(p) && result.get(e.getKey()).size() == base) {
          result.get(e.getKey()).add(p);
          kept.put(p, e.getKey());
          extras--;
          break;
        }
      }
    }
    for (TopicPartition p : all) {
      if (kept.containsKey(p)) {
        continue;
      }
      result.entrySet().stream()
          .filter(e -> subscriptions.get(e.getKey()).contains(p.topic()))
          .min(Comparator.<Map.Entry<String, Set<TopicPartition>>>comparingInt(e -> e.getValue().size())
              .thenComparing(Map.Entry::getKey))
          .ifPresent(e -> e.getValue().add(p));
    }
    return result;
  }
}
