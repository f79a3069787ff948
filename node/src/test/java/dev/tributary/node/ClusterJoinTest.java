package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ways of finding a cluster that cannot form one are refused before the broker starts. */
class ClusterJoinTest {

  private static Config discovery(String method) {
    return ConfigFactory.parseString("tributary.cluster.discovery = \"" + method + "\"");
  }

  @Test
  void withoutDiscoverySeedsOrNoneAreBothFine() {
    assertDoesNotThrow(() -> ClusterJoin.validate(discovery(""), List.of("127.0.0.1:25520"), false));
    assertDoesNotThrow(() -> ClusterJoin.validate(discovery(""), List.of(), false));
  }

  @Test
  void discoveryAndSeedsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterJoin.validate(discovery("config"), List.of("127.0.0.1:25520"), true));
    assertTrue(e.getMessage().contains("give one of them"), e.getMessage());
  }

  @Test
  void discoveryNeedsTheControllersVoters() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterJoin.validate(discovery("kubernetes-api"), List.of(), false));
    assertTrue(e.getMessage().contains("--controller-voters"), e.getMessage());
    assertDoesNotThrow(() -> ClusterJoin.validate(discovery("kubernetes-api"), List.of(), true));
  }
}
