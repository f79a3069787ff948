package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * The cluster as the controller's committed log says it is: topics by name, the brokers and the
 * active controller.
 *
 * @param version the index of the controller's log entry this reflects; clients keep the newest
 * @param brokers the Pekko addresses of the brokers serving (registered, not fenced)
 * @param clusterId chosen by the first controller, kept forever
 * @param controller the broker id of the active controller, -1 while none is known
 * @param controllerEpoch the active controller's Raft term
 * @param brokerInfo every registered broker, fenced ones too, by id
 */
public record MetadataResponse(long version, Map<String, TopicMetadata> topics, List<String> brokers,
    String clusterId, int controller, long controllerEpoch, List<BrokerInfo> brokerInfo)
    implements CborSerializable {

  public MetadataResponse {
    topics = Map.copyOf(topics);
    brokers = List.copyOf(brokers);
    clusterId = clusterId == null ? "" : clusterId;
    brokerInfo = brokerInfo == null ? List.of() : List.copyOf(brokerInfo);
  }

  /**
   * Whether this is at least as new as {@code other}: a later controller log index, or the same
   * index from a controller epoch at least as new (a leader change alone moves no index).
   */
  public boolean supersedes(MetadataResponse other) {
    return other == null || version > other.version
        || version == other.version && controllerEpoch >= other.controllerEpoch;
  }

  /** Topics and brokers only (no controller known). */
  public MetadataResponse(long version, Map<String, TopicMetadata> topics, List<String> brokers) {
    this(version, topics, brokers, "", -1, 0, List.of());
  }
}
