package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

class PartitionerTest {

  @Test
  void murmur2EqualsKafkasOverOneHundredThousandRandomKeys() {
    Random random = new Random(20261126);
    for (int i = 0; i < 100_000; i++) {
      byte[] key = new byte[random.nextInt(64)];
      random.nextBytes(key);
      assertEquals(Utils.murmur2(key), Partitioner.murmur2(key), "murmur2 of key " + i);
      int partitions = 1 + random.nextInt(100);
      assertEquals(Utils.toPositive(Utils.murmur2(key)) % partitions,
          Partitioner.partitionForKey(key, partitions), "partition of key " + i);
    }
  }

  @Test
  void stickyPartitionMovesToAnotherPartition() {
    for (int i = 0; i < 1000; i++) {
      int next = Partitioner.stickyPartition(5, 2);
      assertEquals(true, next != 2 && next >= 0 && next < 5, "got " + next);
    }
    assertEquals(0, Partitioner.stickyPartition(1, 0));
  }
}
