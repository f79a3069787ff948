package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.client.TopicPartition;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Kafka's range and round-robin layouts, including members with different subscriptions. */
class RangeAndRoundRobinAssignorTest {

  private static Set<TopicPartition> parts(String topic, int... numbers) {
    Set<TopicPartition> out = new TreeSet<>();
    for (int n : numbers) {
      out.add(new TopicPartition(topic, n));
    }
    return out;
  }

  private static Set<TopicPartition> union(Set<TopicPartition> a, Set<TopicPartition> b) {
    Set<TopicPartition> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

  @Test
  void rangeGivesEachMemberTheSameContiguousRunOfEveryTopicFirstOnesOneExtra() {
    Map<String, Set<String>> subscriptions = Map.of("m1", Set.of("a", "b"), "m2", Set.of("a", "b"));
    Map<String, Set<TopicPartition>> result = new RangeAssignor().assign(subscriptions, Map.of("a", 3, "b", 3), Map.of());
    assertEquals(union(parts("a", 0, 1), parts("b", 0, 1)), result.get("m1"));
    assertEquals(union(parts("a", 2), parts("b", 2)), result.get("m2"));
  }

  @Test
  void rangeSplitsATopicOnlyAmongItsSubscribers() {
    Map<String, Set<String>> subscriptions = Map.of("m1", Set.of("a"), "m2", Set.of("a", "b"), "m3", Set.of("b"));
    Map<String, Set<TopicPartition>> result = new RangeAssignor().assign(subscriptions, Map.of("a", 4, "b", 2), Map.of());
    assertEquals(parts("a", 0, 1), result.get("m1"));
    assertEquals(union(parts("a", 2, 3), parts("b", 0)), result.get("m2"));
    assertEquals(parts("b", 1), result.get("m3"));
  }

  @Test
  void roundRobinDealsPartitionsInTurnAcrossTopics() {
    Map<String, Set<String>> subscriptions = Map.of("m1", Set.of("a", "b"), "m2", Set.of("a", "b"));
    Map<String, Set<TopicPartition>> result = new RoundRobinAssignor().assign(subscriptions, Map.of("a", 3, "b", 3), Map.of());
    assertEquals(union(parts("a", 0, 2), parts("b", 1)), result.get("m1"));
    assertEquals(union(parts("a", 1), parts("b", 0, 2)), result.get("m2"));
  }

  @Test
  void roundRobinSkipsMembersNotSubscribedToAPartitionsTopic() {
    Map<String, Set<String>> subscriptions = Map.of("m1", Set.of("a"), "m2", Set.of("a", "b"));
    Map<String, Set<TopicPartition>> result = new RoundRobinAssignor().assign(subscriptions, Map.of("a", 2, "b", 2), Map.of());
    assertEquals(parts("a", 0), result.get("m1"));
    assertEquals(union(parts("a", 1), parts("b", 0, 1)), result.get("m2"));
  }

  @Test
  void everyAssignorIsFoundByTheNameMembersAskFor() {
    assertEquals(Set.of("sticky", "range", "round-robin"), Assignor.ALL.keySet());
    assertEquals(StickyAssignor.class, Assignor.named(Assignor.DEFAULT).orElseThrow().getClass());
  }
}
