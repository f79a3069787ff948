package dev.tributary.node.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.node.partition.TopicIdGuard.Standing;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a partition may serve its log, as far as the topic's id goes: pure logic, no actor. */
class TopicIdGuardTest {

  private static TopicMetadata topic(String id) {
    return new TopicMetadata("orders", id, 1, Map.of(), List.of(), List.of(new PartitionInfo(0, 0, List.of(0), List.of(0))));
  }

  @Test
  void aLogOfTheControllersTopicIdIsServed() {
    assertEquals(Standing.SERVING, TopicIdGuard.standing(topic("a"), Optional.of("a")));
  }

  @Test
  void aLogOfAnotherTopicIdIsNeverServed() {
    assertEquals(Standing.RECREATED, TopicIdGuard.standing(topic("b"), Optional.of("a")));
  }

  @Test
  void aLogWithoutAnIdTakesTheControllersWhenItIsKnown() {
    assertEquals(Standing.ADOPT, TopicIdGuard.standing(topic("b"), Optional.empty()));
    assertEquals(Standing.SERVING, TopicIdGuard.standing(null, Optional.empty()), "a new log, nothing to check yet");
  }

  @Test
  void aLogOfSomeTopicIsNotServedWhileThisNodeDoesNotKnowTheTopic() {
    assertEquals(Standing.TOPIC_UNKNOWN, TopicIdGuard.standing(null, Optional.of("a")));
  }
}
