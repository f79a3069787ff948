package dev.tributary.node.controller;

import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The metadata brokers serve, made from the controller's applied state. */
public final class ClusterMetadata {

  private ClusterMetadata() {}

  /**
   * The state as metadata: each partition's leader by its broker's address, {@code ""} while it
   * has none (offline: no live in-sync replica). Topics from before placement existed have no
   * assignment and name no leader here: the gateway answering fills in itself.
   */
  public static MetadataResponse of(ControllerState state, int controller, long controllerEpoch) {
    Map<Integer, String> live = new TreeMap<>();
    List<BrokerInfo> brokers = new ArrayList<>();
    new TreeMap<>(state.brokers()).values().forEach(b -> {
      brokers.add(b.info());
      if (!b.fenced()) {
        live.put(b.id(), pekkoAddress(b.address()));
      }
    });
    Map<String, TopicMetadata> topics = new HashMap<>();
    for (ControllerState.Topic t : state.topics().values()) {
      List<String> leaders = new ArrayList<>(t.partitions());
      for (int p = 0; p < t.partitions(); p++) {
        leaders.add(p < t.assignment().size() ? live.getOrDefault(t.assignment().get(p).leader(), "") : "");
      }
      topics.put(t.name(), t.metadata(leaders));
    }
    return new MetadataResponse(state.index(), topics, new ArrayList<>(live.values()), state.clusterId(), controller,
        controllerEpoch, brokers);
  }

  /** A broker's Artery {@code host:port} as the Pekko address clients resolve. */
  public static String pekkoAddress(String hostPort) {
    return "pekko://" + Tributary.SYSTEM_NAME + "@" + hostPort;
  }
}
