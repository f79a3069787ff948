package dev.tributary.protocol;

/**
 * Where a consumer group's coordinator state lives: partition {@code hash(group id) mod count} of
 * the internal topic {@value #TOPIC}, with the count the controller stores for the cluster, so
 * every broker and client agrees on a group's partition, and its coordinator runs on that
 * partition's leader (Kafka's {@code __consumer_offsets} and {@code partitionFor}, issue 12).
 */
public final class GroupPartitions {

  /** The internal topic whose partitions {@code __groups-N} hold the groups. */
  public static final String TOPIC = "__groups";

  /** Kafka's {@code offsets.topic.num.partitions} default, which {@code groups.partitions} follows. */
  public static final int DEFAULT_COUNT = 50;

  private GroupPartitions() {}

  /**
   * The partition of {@value #TOPIC} that holds {@code groupId}: its {@link String#hashCode} made
   * non-negative by masking the sign bit (never {@link Math#abs}, which leaves
   * {@code Integer.MIN_VALUE} negative), modulo {@code count}.
   */
  public static int partitionFor(String groupId, int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("the group partition count must be positive, got " + count);
    }
    return (groupId.hashCode() & 0x7fffffff) % count;
  }

  /** The partition id ({@code __groups-N}) of the partition that holds {@code groupId}. */
  public static String partitionIdFor(String groupId, int count) {
    return TopicNames.partitionId(TOPIC, partitionFor(groupId, count));
  }
}
