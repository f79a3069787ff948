package dev.tributary.node.controller;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three voter brokers in one JVM with tiny Raft log segments and a snapshot every few entries: a
 * voter stopped while the others commit (and purge the log it missed) comes back, is sent the
 * leader's snapshot, catches up, and then serves as a voter (the quorum commits with it after
 * another voter stops).
 */
class SnapshotInstallTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void aVoterThatMissedPurgedEntriesIsSentASnapshotAndVotesAgain() throws Exception {
    int[] ports = {TestBroker.freePort(), TestBroker.freePort(), TestBroker.freePort()};
    String voters = "0@127.0.0.1:" + TestBroker.freePort() + ",1@127.0.0.1:" + TestBroker.freePort()
        + ",2@127.0.0.1:" + TestBroker.freePort();
    List<BrokerSettings> settings = new ArrayList<>();
    for (int id = 0; id < 3; id++) {
      settings.add(new BrokerSettings(dir.resolve("broker-" + id), id, "127.0.0.1", ports[id],
          List.of("127.0.0.1:" + ports[0]), Map.of(
              "tributary.controller.voters", voters,
              "tributary.controller.snapshot-every", 4,
              "tributary.controller.log-segment-size", 1024,
              "tributary.failover", "fast")));
    }
    List<TestBroker> brokers = TestBroker.startTogether(settings);
    try {
      // The voter that lags is one that does not lead: this test is about catching up, not elections.
      int controller = brokers.get(0).broker().metadata().current().controller();
      int lagging = controller == 2 ? 1 : 2;
      int via = controller;
      try (TributaryClient client = brokers.get(via).client()) {
        await(client.createTopic("before", 1, Map.of()));
        brokers.get(lagging).close();
        for (int i = 0; i < 40; i++) {
          await(client.createTopic("while-away-" + i, 1, Map.of()));
        }
      }
      List<Integer> stayed = new ArrayList<>(List.of(0, 1, 2));
      stayed.remove(Integer.valueOf(lagging));
      assertTrue(snapshots(dir.resolve("broker-" + stayed.get(0))) + snapshots(dir.resolve("broker-" + stayed.get(1))) > 0,
          "the voters that stayed took snapshots");

      brokers.set(lagging, TestBroker.start(settings.get(lagging)));
      ControllerQuorum back = brokers.get(lagging).broker().controllerVoter().orElseThrow();
      eventually(() -> back.state().topics().size() == 41, "broker " + lagging + "'s own voter applied every topic: "
          + back.state().topics().size());
      assertEquals(List.of(), brokers.get(lagging).broker().metadata().current().brokerInfo().stream()
          .filter(b -> b.fenced()).toList(), "no broker fenced");

      // The lagging voter works again: with the other voter that does not lead gone, the two left
      // (the controller and it) commit.
      int stopped = 3 - controller - lagging;
      brokers.get(stopped).close();
      brokers.set(stopped, null);
      try (TributaryClient client = TributaryClient.connect("127.0.0.1:" + ports[controller])) {
        eventually(() -> {
          try {
            await(client.createTopic("after", 1, Map.of()));
            return true;
          } catch (RuntimeException | AssertionError notYet) {
            return notYet.getMessage() != null && notYet.getMessage().contains("already exists");
          }
        }, "a topic is created with voters " + controller + " and " + lagging + " only");
      }
      eventually(() -> back.state().topics().containsKey("after"), "broker " + lagging + "'s voter applied it");
    } finally {
      for (TestBroker b : brokers) {
        if (b != null) {
          b.close();
        }
      }
    }
  }

  /** A quorum of three needs two voters up before any is ready: start them at once. */
  private static long snapshots(Path dataDir) throws IOException {
    try (Stream<Path> files = Files.walk(dataDir.resolve("controller"))) {
      return files.filter(f -> f.getFileName().toString().startsWith("snapshot.")
          && !f.getFileName().toString().endsWith(".md5")).count();
    }
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + LIMIT + ": " + what);
      }
      Thread.sleep(100);
    }
  }
}
