package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.message.BrokerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that stops cleanly is fenced at once, as in Kafka's controlled shutdown, not a session
 * timeout later; started again, it registers with a new epoch. Two brokers in one JVM: the first
 * alone is the controller quorum's voter, the second joins with a seed and is not a voter.
 */
class ControlledShutdownTest {

  /** Well under the default 9 s session timeout, so only the controlled shutdown can fence in time. */
  private static final Duration FENCED_WITHIN = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void aCleanStopIsFencedAtOnceAndARestartRegistersAgain() throws InterruptedException {
    int port0 = TestBroker.freePort();
    int port1 = TestBroker.freePort();
    BrokerSettings second = new BrokerSettings(dir.resolve("b1"), 1, "127.0.0.1", port1, List.of("127.0.0.1:" + port0),
        Map.of());
    try (TestBroker first = TestBroker.start(BrokerSettings.defaults().withDataDir(dir.resolve("b0")).withPort(port0))) {
      TestBroker follower = TestBroker.start(second);
      assertTrue(follower.broker().controllerVoter().isEmpty(), "a broker joining with a seed is not a voter");
      long epoch = broker(first, 1).orElseThrow().epoch();
      assertEquals(BrokerInfo.REGISTERED, broker(first, 1).orElseThrow().status());

      follower.close();
      long deadline = System.nanoTime() + FENCED_WITHIN.toNanos();
      while (!broker(first, 1).orElseThrow().fenced()) {
        assertTrue(System.nanoTime() < deadline, "broker 1 stopped cleanly but is not fenced after " + FENCED_WITHIN);
        Thread.sleep(50);
      }

      try (TestBroker back = TestBroker.start(second)) {
        BrokerInfo again = broker(back, 1).orElseThrow();
        assertEquals(BrokerInfo.REGISTERED, again.status(), "registered again once ready: " + again);
        assertTrue(again.epoch() > epoch, "a new epoch: " + again);
        assertTrue(!again.newDirectory(), "the same data directory");
      }
    }
  }

  private static Optional<BrokerInfo> broker(TestBroker via, int id) {
    return via.broker().metadata().current().brokerInfo().stream().filter(b -> b.id() == id).findFirst();
  }
}
