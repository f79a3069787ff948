package dev.tributary.node.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TopicDescriptionTest {

  @Test
  void parsesTheTopicLineAndOneLinePerPartitionOfflineOnesToo() {
    TopicDescription d = TopicDescription.parse("""
        Topic: t\tTopicId: 0f0e\tPartitions: 2\tReplicationFactor: 3\tConfigs: {min.insync.replicas=2}
        \tPartition: 0\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,0\tLogStartOffset: 0\tHighWatermark: 42
        \tPartition: 1\tLeader: none\tReplicas: 2,0,1\tIsr: 2\tLogStartOffset: -\tHighWatermark: -\t(offline: no live in-sync replica)
        """);
    assertEquals("t", d.topic());
    assertEquals(2, d.partitionCount());
    assertEquals(3, d.replicationFactor());
    TopicDescription.Partition p0 = d.partition(0);
    assertEquals(OptionalInt.of(1), p0.leader());
    assertEquals(List.of(1, 2, 0), p0.replicas());
    assertEquals(List.of(1, 0), p0.isr());
    assertEquals(Set.of(0, 1), p0.isrSet());
    assertEquals(0, p0.logStartOffset());
    assertEquals(42, p0.highWatermark());
    TopicDescription.Partition p1 = d.partition(1);
    assertEquals(OptionalInt.empty(), p1.leader());
    assertEquals(-1, p1.highWatermark());
    assertEquals(-1, p1.logStartOffset());
    assertThrows(AssertionError.class, () -> d.partition(2));
    assertThrows(AssertionError.class, () -> TopicDescription.parse("error: topic 't' does not exist\n"));
  }
}
