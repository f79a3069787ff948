package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A broker started without --node-id takes its id from the environment. */
class BrokerIdsTest {

  @Test
  void aStatefulSetPodIsTheBrokerOfItsOrdinal() {
    assertEquals(0, BrokerIds.fromEnvironment(Map.of("POD_NAME", "tributary-0")));
    assertEquals(2, BrokerIds.fromEnvironment(Map.of("POD_NAME", "tributary-2")));
    assertEquals(12, BrokerIds.fromEnvironment(Map.of("POD_NAME", "my-log-broker-12")));
  }

  @Test
  void tributaryNodeIdWinsOverThePodName() {
    assertEquals(7, BrokerIds.fromEnvironment(Map.of("TRIBUTARY_NODE_ID", "7", "POD_NAME", "tributary-2")));
  }

  @Test
  void withNeitherItIsBrokerZeroWhateverTheHostIsCalled() {
    assertEquals(0, BrokerIds.fromEnvironment(Map.of()));
    assertEquals(0, BrokerIds.fromEnvironment(Map.of("HOSTNAME", "build-3")));
  }

  @Test
  void aPodNameWithoutAnOrdinalIsRefusedNamingWhatToSet() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BrokerIds.fromEnvironment(Map.of("POD_NAME", "tributary-7d9f8b-x2x9q")));
    assertTrue(e.getMessage().contains("POD_NAME=tributary-7d9f8b-x2x9q") && e.getMessage().contains("--node-id"),
        e.getMessage());
  }

  @Test
  void aBadNodeIdVariableIsRefused() {
    for (String bad : new String[] {"-1", "one", "99999999999"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> BrokerIds.fromEnvironment(Map.of("TRIBUTARY_NODE_ID", bad)));
      assertTrue(e.getMessage().startsWith("TRIBUTARY_NODE_ID=" + bad + " is not a broker id"), e.getMessage());
    }
  }
}
