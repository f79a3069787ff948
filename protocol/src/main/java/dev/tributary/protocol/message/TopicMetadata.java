package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * A topic as the controller knows it.
 *
 * @param topicId unique per creation, so a re-created topic never adopts old data
 * @param leaders the address of the broker leading each partition, by partition number
 * @param placement the id of the broker holding each partition's log, by partition number (the
 *     controller decides it at creation; empty for topics created before placement existed)
 */
public record TopicMetadata(
    String name, String topicId, int partitions, Map<String, String> configs, List<String> leaders,
    List<Integer> placement) implements CborSerializable {

  public TopicMetadata {
    configs = Map.copyOf(configs);
    leaders = List.copyOf(leaders);
    placement = placement == null ? List.of() : List.copyOf(placement);
  }
}
