package dev.tributary.node.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ClusterDescriptionTest {

  @Test
  void parsesTheClusterLineAndOneLinePerBroker() {
    ClusterDescription d = ClusterDescription.parse("""
        ClusterId: abc-123\tController: 1\tControllerEpoch: 7
        Broker: 0\tAddress: 127.0.0.1:4000\tStatus: Registered\tEpoch: 12\tDirectory: 5b0e0c1e-0000-4000-8000-000000000000
        Broker: 1\tAddress: 127.0.0.1:4001\tStatus: Fenced\tEpoch: 15\tDirectory: 6c1f1d2f-0000-4000-8000-000000000000\tKafka: 127.0.0.1:9093
        """);
    assertEquals("abc-123", d.clusterId());
    assertEquals(OptionalInt.of(1), d.controller());
    assertEquals(7, d.controllerEpoch());
    assertEquals("127.0.0.1:4000", d.broker(0).address());
    assertTrue(d.broker(0).registered());
    assertTrue(d.broker(1).fenced());
    assertEquals(15, d.broker(1).epoch());
    assertEquals("6c1f1d2f-0000-4000-8000-000000000000", d.broker(1).directory());
    assertEquals("", d.broker(0).kafkaAddress(), "no Kafka: field, no Kafka listener");
    assertEquals("127.0.0.1:9093", d.broker(1).kafkaAddress());
    d.requireRegistered(List.of(0));
    assertThrows(AssertionError.class, () -> d.requireRegistered(List.of(0, 1)));
    assertThrows(AssertionError.class, () -> d.broker(2));
  }

  @Test
  void aControllerThatIsNoBrokerIdIsNone() {
    ClusterDescription d = ClusterDescription.parse("ClusterId: x\tController: none\tControllerEpoch: 0\n");
    assertEquals(OptionalInt.empty(), d.controller());
    assertThrows(AssertionError.class, d::requireController);
    assertThrows(AssertionError.class, () -> ClusterDescription.parse("error: unknown command\n"));
  }

  @Test
  void aClientsMetadataDescribesTheSameAsTheParsedOutput() {
    MetadataResponse m = new MetadataResponse(9, Map.of(), List.of(), "abc-123", 1, 7, List.of(
        new BrokerInfo(0, "127.0.0.1:4000", 12, BrokerInfo.REGISTERED, "5b0e0c1e-0000-4000-8000-000000000000", false,
            ""),
        new BrokerInfo(1, "127.0.0.1:4001", 15, BrokerInfo.FENCED, "6c1f1d2f-0000-4000-8000-000000000000", true,
            "127.0.0.1:9093")));
    ClusterDescription d = ClusterDescription.of(m);
    ClusterDescription parsed = ClusterDescription.parse(d.text());
    assertEquals(parsed.clusterId(), d.clusterId());
    assertEquals(OptionalInt.of(1), d.controller());
    assertEquals(parsed.controller(), d.controller());
    assertEquals(7, d.controllerEpoch());
    assertEquals(parsed.controllerEpoch(), d.controllerEpoch());
    assertEquals(parsed.brokers(), d.brokers());
    assertTrue(d.broker(0).registered());
    assertTrue(d.broker(1).fenced());
    assertEquals("127.0.0.1:9093", d.broker(1).kafkaAddress());
    assertEquals(OptionalInt.empty(),
        ClusterDescription.of(new MetadataResponse(0, Map.of(), List.of(), "x", -1, 0, List.of())).controller());
  }
}
