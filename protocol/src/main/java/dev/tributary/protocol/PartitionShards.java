package dev.tributary.protocol;

import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * One partition per shard: the shard id is the entity id ({@code <topic>-<partition>}), so
 * placement, and later leadership, is decided per partition.
 */
public final class PartitionShards
    extends ShardingMessageExtractor<ShardingEnvelope<PartitionCommand>, PartitionCommand> {

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
