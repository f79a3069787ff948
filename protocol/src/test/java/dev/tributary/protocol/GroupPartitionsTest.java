package dev.tributary.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupPartitionsTest {

  @Test
  void aGroupAlwaysMapsToTheSamePartitionInRange() {
    Set<Integer> used = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String group = "group-" + i;
      int p = GroupPartitions.partitionFor(group, 50);
      assertTrue(p >= 0 && p < 50, group + " -> " + p);
      assertEquals(p, GroupPartitions.partitionFor(new String(group.toCharArray()), 50), "same id, same partition");
      used.add(p);
    }
    assertEquals(50, used.size(), "a thousand groups spread over all fifty partitions");
  }

  @Test
  void theMostNegativeHashCodeStillMapsIntoRange() {
    String minHash = "polygenelubricants";
    assertEquals(Integer.MIN_VALUE, minHash.hashCode());
    assertEquals(0, GroupPartitions.partitionFor(minHash, 50), "MIN_VALUE with the sign bit masked is 0");
    assertEquals("__groups-0", GroupPartitions.partitionIdFor(minHash, 50));
    int hash = "readers-of-orders".hashCode();
    assertEquals((hash & 0x7fffffff) % 7, GroupPartitions.partitionFor("readers-of-orders", 7));
  }

  @Test
  void aCountBelowOneIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroupPartitions.partitionFor("g", 0));
    assertTrue(e.getMessage().contains("must be positive"), e.getMessage());
  }
}
