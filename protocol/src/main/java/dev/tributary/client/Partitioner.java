package dev.tributary.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Kafka's default partitioning: keyed records go to {@code toPositive(murmur2(key)) % partitions},
 * so the same key lands on the same partition as with a Kafka producer; records without a key
 * stick to one partition until its batch is sent (sticky partitioning), then move on.
 */
public final class Partitioner {

  private Partitioner() {}

  /** The partition of a keyed record, exactly as Kafka's {@code BuiltInPartitioner} computes it. */
  public static int partitionForKey(byte[] key, int partitions) {
    return toPositive(murmur2(key)) % partitions;
  }

  /** A random partition for a new sticky batch of unkeyed records. */
  public static int stickyPartition(int partitions, int previous) {
    if (partitions == 1) {
      return 0;
    }
    int next = ThreadLocalRandom.current().nextInt(partitions - 1);
    return next >= previous ? next + 1 : next;
  }

  static int toPositive(int n) {
    return n & 0x7fffffff;
  }

  /** MurmurHash2, 32-bit, seed 0x9747b28c, as Kafka uses it for keys. */
  public static int murmur2(byte[] data) {
    int length = data.length;
    final int seed = 0x9747b28c;
    final int m = 0x5bd1e995;
    final int r = 24;
    int h = seed ^ length;
    int fourBlocks = length / 4;
    for (int i = 0; i < fourBlocks; i++) {
      int i4 = i * 4;
      int k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16)
          + ((data[i4 + 3] & 0xff) << 24);
      k *= m;
      k ^= k >>> r;
      k *= m;
      h *= m;
      h ^= k;
    }
    int tail = fourBlocks * 4;
    switch (length % 4) {
      case 3:
        h ^= (data[tail + 2] & 0xff) << 16;
        // fall through
      case 2:
        h ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        h ^= data[tail] & 0xff;
        h *= m;
        break;
      default:
        break;
    }
    h ^= h >>> 13;
    h *= m;
    h ^= h >>> 15;
    return h;
  }
}
