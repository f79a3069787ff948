package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.MetadataResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client connected to a gateway is told about metadata changes without asking: a topic another
 * client creates, grows or deletes reaches its {@link TributaryClient#latestMetadata()}.
 */
class MetadataPushTest {

  /** A margin far above the push's few milliseconds, and below the 10 s renewal that also delivers it. */
  private static final Duration LIMIT = Duration.ofSeconds(8);

  @TempDir Path dir;

  @Test
  void topicChangesArePushedToAWatchingClient() throws InterruptedException {
    try (TestBroker broker = TestBroker.start(dir);
         TributaryClient watcher = broker.client();
         TributaryClient admin = broker.client()) {
      MetadataResponse first = awaitPushed(watcher, m -> true);
      assertFalse(first.topics().containsKey("pushed"));
      assertEquals(0, first.controller(), "the single broker is the controller");

      await(admin.createTopic("pushed", 2, Map.of()));
      assertEquals(2, awaitPushed(watcher, m -> m.topics().containsKey("pushed")).topics().get("pushed").partitions());

      await(admin.addPartitions("pushed", 5));
      awaitPushed(watcher, m -> m.topics().containsKey("pushed") && m.topics().get("pushed").partitions() == 5);

      await(admin.deleteTopic("pushed"));
      MetadataResponse last = awaitPushed(watcher, m -> !m.topics().containsKey("pushed"));
      assertTrue(last.version() > first.version());
    }
  }

  private static MetadataResponse awaitPushed(TributaryClient client, Predicate<MetadataResponse> condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      MetadataResponse m = client.latestMetadata().orElse(null);
      if (m != null && condition.test(m)) {
        return m;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("not pushed within " + LIMIT + "; last: " + client.latestMetadata());
  }
}
