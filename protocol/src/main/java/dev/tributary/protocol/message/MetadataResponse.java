package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * Topics by name and the brokers' addresses.
 *
 * @param version increases with every metadata change; clients keep the newest
 */
public record MetadataResponse(long version, Map<String, TopicMetadata> topics, List<String> brokers)
    implements CborSerializable {

  public MetadataResponse {
    topics = Map.copyOf(topics);
    brokers = List.copyOf(brokers);
  }
}
