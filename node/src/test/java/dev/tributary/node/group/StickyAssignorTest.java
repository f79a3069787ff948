package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StickyAssignorTest {

  private static final Assignor STICKY = new StickyAssignor();

  private static Map<String, Set<String>> subscribed(String... members) {
    Map<String, Set<String>> s = new HashMap<>();
    for (String m : members) {
      s.put(m, Set.of("t"));
    }
    return s;
  }

  private static int moved(Map<String, Set<TopicPartition>> before, Map<String, Set<TopicPartition>> after) {
    int moved = 0;
    for (Map.Entry<String, Set<TopicPartition>> e : after.entrySet()) {
      Set<TopicPartition> gained = new HashSet<>(e.getValue());
      gained.removeAll(before.getOrDefault(e.getKey(), Set.of()));
      moved += gained.size();
    }
    return moved;
  }

  @Test
  void membersGetBalancedSharesAndAJoinMovesOnlyTheNewMembersShare() {
    Map<String, Integer> topics = Map.of("t", 64);
    Map<String, Set<TopicPartition>> one = STICKY.assign(subscribed("a"), topics, Map.of());
    assertEquals(64, one.get("a").size());
    Map<String, Set<TopicPartition>> three = STICKY.assign(subscribed("a", "b", "c"), topics, one);
    assertEquals(java.util.List.of(21, 21, 22), java.util.stream.Stream.of("a", "b", "c")
        .map(m -> three.get(m).size()).sorted().toList(), "22/21/21");
    assertEquals(64, three.values().stream().mapToInt(Set::size).sum());
    Map<String, Set<TopicPartition>> four = STICKY.assign(subscribed("a", "b", "c", "d"), topics, three);
    four.values().forEach(p -> assertEquals(16, p.size()));
    assertEquals(16, moved(three, four), "only the new member's 16 partitions move");
    Set<TopicPartition> all = new HashSet<>();
    four.values().forEach(p -> assertTrue(p.stream().allMatch(all::add), "no partition twice"));
    Map<String, Set<TopicPartition>> afterLeave = STICKY.assign(subscribed("a", "b", "c"), topics, four);
    assertEquals(16, moved(four, afterLeave), "when d leaves only its partitions move");
  }
}
