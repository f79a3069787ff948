package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A topic as the controller knows it.
 *
 * @param topicId unique per creation, so a re-created topic never adopts old data
 * @param leaders the address of the broker leading each partition, by partition number
 */
public record TopicMetadata(
    String name, String topicId, int partitions, Map<String, String> configs, List<String> leaders)
    implements CborSerializable {

  public TopicMetadata {
    configs = Map.copyOf(configs);
    leaders = List.copyOf(leaders);
  }
}
