package dev.tributary.node.gateway;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which partitions a broker's data gateway serves: only those it leads (and unplaced ones). */
class DataGatewayRoutingTest {

  private final MetadataView view = new MetadataView();

  DataGatewayRoutingTest() {
    view.update(new MetadataResponse(1, Map.of(
        "placed", new TopicMetadata("placed", "tid", 3, Map.of(), List.of("a", "b", ""), List.of(
            new PartitionInfo(0, 2, List.of(0, 1), List.of(0, 1)),
            new PartitionInfo(1, 5, List.of(1, 0), List.of(1)),
            new PartitionInfo(PartitionInfo.NO_LEADER, 7, List.of(1), List.of(1)))),
        "unplaced", new TopicMetadata("unplaced", "tid-2", 1, Map.of(), List.of(""), List.of())), List.of()));
  }

  private static Fetch fetch(String topic, int partition) {
    return new Fetch(1, topic, partition, 0, 1024, 0, null);
  }

  @Test
  void theLeaderServesItsPartition() {
    assertNull(DataGateway.notLedHere(view, 0, fetch("placed", 0)));
    assertNull(DataGateway.notLedHere(view, 1, fetch("placed", 1)));
  }

  @Test
  void aFollowerOrOtherBrokerNamesTheLeader() {
    String refusal = DataGateway.notLedHere(view, 0, fetch("placed", 1));
    assertNotNull(refusal);
    assertTrue(refusal.contains("led by broker 1") && refusal.contains("refresh metadata"), refusal);
    assertNotNull(DataGateway.notLedHere(view, 1, fetch("placed", 0)), "a follower does not serve clients");
  }

  @Test
  void aPartitionWithNoLeaderIsRefusedEverywhere() {
    for (int broker : List.of(0, 1, 2)) {
      String refusal = DataGateway.notLedHere(view, broker, fetch("placed", 2));
      assertNotNull(refusal);
      assertTrue(refusal.contains("no leader"), refusal);
    }
  }

  @Test
  void anAcksAllWriteNeedsMinInsyncReplicasInTheIsr() {
    TopicConfig defaults = TopicConfig.defaults(
        com.typesafe.config.ConfigFactory.load(), 1L << 30); // min.insync.replicas = 1
    view.update(new MetadataResponse(2, Map.of(
        "strict", new TopicMetadata("strict", "tid-3", 2, Map.of("min.insync.replicas", "2"), List.of("a", "a"), List.of(
            new PartitionInfo(0, 0, List.of(0, 1), List.of(0, 1)),
            new PartitionInfo(0, 1, List.of(0, 1), List.of(0)))),
        "lenient", new TopicMetadata("lenient", "tid-4", 1, Map.of(), List.of("a"), List.of(
            new PartitionInfo(0, 0, List.of(0, 1), List.of(0))))), List.of()));

    assertNull(DataGateway.tooFewInSync(view, defaults, produce("strict", 0, Acks.ALL)), "two in sync: enough");
    String refusal = DataGateway.tooFewInSync(view, defaults, produce("strict", 1, Acks.ALL));
    assertNotNull(refusal, "one in sync, two needed");
    assertTrue(refusal.contains("min.insync.replicas=2") && refusal.contains("not stored"), refusal);
    assertNull(DataGateway.tooFewInSync(view, defaults, produce("strict", 1, Acks.LEADER)), "acks=leader is not held to it");
    assertNull(DataGateway.tooFewInSync(view, defaults, produce("lenient", 0, Acks.ALL)), "the broker default is 1");
  }

  private static Produce produce(String topic, int partition, Acks acks) {
    return new Produce(1, topic, partition, new byte[0], acks, 1000, null);
  }

  @Test
  void unknownAndUnplacedPartitionsAreLeftToTheOtherChecks() {
    assertNull(DataGateway.notLedHere(view, 0, fetch("missing", 0)), "answered UNKNOWN_TOPIC_OR_PARTITION elsewhere");
    assertNull(DataGateway.notLedHere(view, 0, fetch("placed", 9)));
    assertNull(DataGateway.notLedHere(view, 0, fetch("unplaced", 0)), "from before placement: any broker hosts it");
  }
}
