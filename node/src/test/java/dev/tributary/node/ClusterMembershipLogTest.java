package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers in one JVM: each logs the other's membership, one line per change, and never its
 * own. Which broker logged a line is in its MDC ({@code pekkoAddress}, the system's address).
 */
class ClusterMembershipLogTest {

  private static final String LOGGER = ClusterMembershipLog.class.getName();

  @TempDir Path dirA;
  @TempDir Path dirB;

  @Test
  void aBrokerLogsAnotherJoiningAndLeavingOnceEachAndTheOtherLogsItOnce() {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    // Generous for two shared cores: a line is waited for only this long after its action returned.
    BrokerSettings first = BrokerSettings.defaults().withDataDir(dirA).withPort(portA)
        .with("pekko.actor.testkit.typed.filter-leeway", "20s");
    BrokerSettings second = new BrokerSettings(dirB, 1, "127.0.0.1", portB, List.of("127.0.0.1:" + portA), Map.of());
    try (LogCapture logs = new LogCapture(); TestBroker a = TestBroker.start(first)) {
      TestBroker b = LoggingTestKit.info("Broker 1 (127.0.0.1:" + portB + ") joined the cluster")
          .withLoggerName(LOGGER)
          .expect(a.broker().system(), () -> TestBroker.start(second));
      LoggingTestKit.info("Broker 1 (127.0.0.1:" + portB + ") left the cluster")
          .withLoggerName(LOGGER)
          .expect(a.broker().system(), () -> {
            b.close();
            return null;
          });

      assertEquals(List.of(
          "INFO Broker 1 (127.0.0.1:" + portB + ") joined the cluster",
          "INFO Broker 1 (127.0.0.1:" + portB + ") left the cluster"), linesOf(logs, portA));
      assertEquals(List.of("INFO Broker 0 (127.0.0.1:" + portA + ") is in the cluster"), linesOf(logs, portB),
          "B names A once, as there before it; nothing of its own leaving, nor of A as it stops");
    }
  }

  /** The membership lines logged by the broker listening on {@code port}. */
  private static List<String> linesOf(LogCapture logs, int port) {
    return logs.from(LOGGER).stream()
        .filter(e -> e.getMDCPropertyMap().getOrDefault("pekkoAddress", "").endsWith(":" + port))
        .map(e -> e.getLevel() + " " + e.getFormattedMessage())
        .toList();
  }
}
