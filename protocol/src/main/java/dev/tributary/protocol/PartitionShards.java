package dev.tributary.protocol;

import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * One replica per shard. A partition has one entity per replica, {@code <topic>-<partition>@<broker
 * id>}, pinned to that broker: the broker's data is on its disk, so shards never move, and
 * leadership is a role the controller gives one of them, not a shard move. The shard id is the
 * entity id. Topic names cannot hold {@code @}, so the id parses back without doubt.
 */
public final class PartitionShards
    extends ShardingMessageExtractor<ShardingEnvelope<PartitionCommand>, PartitionCommand> {

  /**
   * The "broker" of the one replica of a partition the controller placed nowhere (a topic from
   * before placement), written {@code @any}: any broker may host it, and the allocation strategy
   * picks one. Not -1, which metadata uses for "no leader".
   */
  public static final int UNPLACED = -2;

  /** The entity id of {@code partitionId}'s replica on {@code brokerId} (or {@link #UNPLACED}). */
  public static String replicaId(String partitionId, int brokerId) {
    return partitionId + "@" + (brokerId == UNPLACED ? "any" : Integer.toString(brokerId));
  }

  /** The partition id ({@code <topic>-<partition>}) of a replica's entity id. */
  public static String partitionIdOf(String replicaId) {
    int at = replicaId.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("'" + replicaId + "' is not a replica id (<topic>-<partition>@<broker>)");
    }
    return replicaId.substring(0, at);
  }

  /** The broker of a replica's entity id; {@link #UNPLACED} for a partition placed nowhere. */
  public static int brokerOf(String replicaId) {
    int at = replicaId.lastIndexOf('@');
    if (at < 0) {
      throw new IllegalArgumentException("'" + replicaId + "' is not a replica id (<topic>-<partition>@<broker>)");
    }
    String broker = replicaId.substring(at + 1);
    return broker.equals("any") ? UNPLACED : Integer.parseInt(broker);
  }

  @Override
  public String entityId(ShardingEnvelope<PartitionCommand> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public PartitionCommand unwrapMessage(ShardingEnvelope<PartitionCommand> envelope) {
    return envelope.message();
  }
}
