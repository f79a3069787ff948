package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A topic as the controller knows it.
 *
 * @param topicId unique per creation, so a re-created topic never adopts old data
 * @param leaders the Pekko address of the broker leading each partition, by partition number
 *     ({@code ""} while it has none)
 * @param partitionInfo each partition's leader, epoch, replicas and in-sync replicas, by partition
 *     number (empty only in metadata from before any broker registered)
 */
public record TopicMetadata(
    String name, String topicId, int partitions, Map<String, String> configs, List<String> leaders,
    List<PartitionInfo> partitionInfo) implements CborSerializable {

  public TopicMetadata {
    configs = Map.copyOf(configs);
    leaders = List.copyOf(leaders);
    partitionInfo = partitionInfo == null ? List.of() : List.copyOf(partitionInfo);
  }

  /** The partition's placement, if the controller gave it one. */
  public java.util.Optional<PartitionInfo> partition(int partition) {
    return partition >= 0 && partition < partitionInfo.size()
        ? java.util.Optional.of(partitionInfo.get(partition)) : java.util.Optional.empty();
  }

  /** The number of replicas per partition (the first partition's; they all have as many). */
  public int replicationFactor() {
    return partitionInfo.isEmpty() ? 1 : partitionInfo.get(0).replicas().size();
  }
}
