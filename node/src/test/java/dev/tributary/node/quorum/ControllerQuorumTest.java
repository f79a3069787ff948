package dev.tributary.node.quorum;

import static dev.tributary.node.quorum.BrokerProcesses.cliInProcess;
import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers, each a voter of the Raft controller quorum, with {@code --failover fast}
 * (session 2 s, heartbeat 250 ms, election 1-2 s), in child JVMs: the controller's broker killed,
 * the whole cluster killed and restarted, a broker paused past its session, a broker back on an
 * empty disk. Every wait is a margin ({@link BrokerProcesses#eventually}), not a sleep.
 */
class ControllerQuorumTest {

  /** Generous: two slow cores shared by three brokers, CLI JVMs and this test. */
  private static final Duration LIMIT = Duration.ofSeconds(60);

  /**
   * How long a broker stays SIGSTOPped at most: well past the 2 s session, well short of Pekko's
   * failure detector (3 s) plus the split-brain resolver's stable-after (20 s), so the broker is
   * fenced by the controller but never downed by Pekko.
   */
  private static final Duration PAUSE_AT_MOST = Duration.ofSeconds(10);

  private static final Pattern PARTITIONS = Pattern.compile("\\tPartitions: (\\d+)");
  private static final Pattern CONFIGS = Pattern.compile("\\tConfigs: (.*)");

  @TempDir Path dir;

  private BrokerProcesses quorum() {
    BrokerProcesses brokers = BrokerProcesses.builder(dir).brokers(3)
        .controllerQuorum(true).fastFailover(true).seeds(BrokerProcesses.Seeds.ALL).start();
    try {
      awaitAllRegistered(brokers, 0);
      return brokers;
    } catch (RuntimeException | Error e) {
      brokers.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ a

  @Test
  void killingTheControllersBrokerElectsAnotherAndLosesNoMetadata() {
    try (BrokerProcesses brokers = quorum()) {
      Map<String, Integer> before = new LinkedHashMap<>();
      before.put("keep-three", 3);
      before.put("keep-one", 1);
      before.put("doomed", 2);
      for (Map.Entry<String, Integer> t : before.entrySet()) {
        createTopic(brokers, 0, t.getKey(), t.getValue());
      }
      for (Map.Entry<String, Integer> t : before.entrySet()) {
        assertEquals(t.getValue(), partitions(brokers, 0, t.getKey()), t.getKey());
      }

      ClusterDescription first = describe(brokers, 0);
      int oldController = first.requireController();
      brokers.kill9(oldController);
      List<Integer> survivors = others(brokers, oldController);
      int survivor = survivors.get(0);

      ClusterDescription failedOver = eventually(LIMIT, () -> {
        ClusterDescription d = describe(brokers, survivor);
        int c = d.requireController();
        assertNotEquals(oldController, c, "still the killed broker's controller:\n" + d.text());
        assertTrue(survivors.contains(c), d.text());
        assertTrue(d.controllerEpoch() > first.controllerEpoch(),
            "ControllerEpoch " + d.controllerEpoch() + " is not above " + first.controllerEpoch() + ":\n" + d.text());
        return d;
      });
      // The other survivor agrees on the new controller.
      eventually(LIMIT, () -> assertEquals(failedOver.controller(), describe(brokers, survivors.get(1)).controller()));

      // The new controller serves admin requests.
      createTopic(brokers, survivor, "after-failover", 2);
      deleteTopic(brokers, survivor, "doomed");
      eventually(LIMIT, () -> assertEquals(Set.of("after-failover", "keep-one", "keep-three"), topics(brokers, survivor)));
      for (String t : List.of("keep-three", "keep-one")) {
        assertEquals(before.get(t), partitions(brokers, survivor, t), t);
      }
      assertEquals(2, partitions(brokers, survivor, "after-failover"));

      // The killed broker comes back, registered; it need not be the controller again.
      brokers.restart(oldController);
      eventually(LIMIT, () -> {
        ClusterDescription d = describe(brokers, survivor).requireRegistered(brokers.ids());
        assertTrue(d.broker(oldController).epoch() > first.broker(oldController).epoch(),
            "broker " + oldController + " back with no new Epoch:\n" + d.text());
      });
      eventually(LIMIT, () -> assertEquals(Set.of("after-failover", "keep-one", "keep-three"), topics(brokers, oldController)));
      eventually(LIMIT, () -> describe(brokers, oldController).requireRegistered(brokers.ids()));
      for (String t : List.of("keep-three", "keep-one")) {
        assertEquals(before.get(t), partitions(brokers, oldController, t), t);
      }
    }
  }

  // ------------------------------------------------------------------ b

  @Test
  void aFullClusterRestartKeepsTopicsAndConfigsAndNeverReusesAProducerId() throws Exception {
    try (BrokerProcesses brokers = quorum()) {
      brokers.cliOk("topic", "create", "configured", "--partitions", "2", "--config", "retention.ms=12345",
          "--bootstrap", brokers.bootstrap(0));
      createTopic(brokers, 1, "plain", 1);
      String configs = configs(brokers, 2, "configured");
      assertTrue(configs.contains("retention.ms=12345"), configs);

      List<Long> ids = new ArrayList<>();
      for (int b : brokers.ids()) {
        ids.addAll(producerIds(brokers, b, 3));
      }

      // During: the controller's broker killed, ids from the survivors.
      int controller = describe(brokers, 0).requireController();
      brokers.kill9(controller);
      for (int b : others(brokers, controller)) {
        ids.addAll(producerIds(brokers, b, 3));
      }
      brokers.restart(controller);
      awaitAllRegistered(brokers, controller);
      ids.addAll(producerIds(brokers, controller, 3));

      // After: every broker killed, all started again at once.
      brokers.kill9All();
      brokers.startAll();
      awaitAllRegistered(brokers, 1);
      for (int b : brokers.ids()) {
        ids.addAll(producerIds(brokers, b, 3));
      }

      assertEquals(ids.size(), new HashSet<>(ids).size(), "a producer id was handed out twice: " + ids);

      for (int b : brokers.ids()) {
        eventually(LIMIT, () -> assertEquals(Set.of("configured", "plain"), topics(brokers, b)));
        assertEquals(2, partitions(brokers, b, "configured"));
        assertEquals(1, partitions(brokers, b, "plain"));
        String after = configs(brokers, b, "configured");
        assertTrue(after.contains("retention.ms=12345"), "configs after the restart, on broker " + b + ": " + after);
      }
    }
  }

  // ------------------------------------------------------------------ c

  @Test
  void aBrokerPausedPastItsSessionIsFencedAndRegistersAgainWithANewEpochWhenResumed() {
    try (BrokerProcesses brokers = quorum()) {
      ClusterDescription before = describe(brokers, 0);
      int controller = before.requireController();
      int victim = others(brokers, controller).get(0);
      int observer = others(brokers, victim).get(0);
      long epochBefore = before.broker(victim).epoch();

      // Polled in this JVM: a CLI JVM's start-up would eat most of the pause. One describe first,
      // so class loading is not paid during the pause; each poll is bounded by the pause's end.
      cliInProcess("cluster", "describe", "--bootstrap", brokers.bootstrap(observer)).requireOk();
      boolean fenced = false;
      String lastSeen = "(no answer during the pause)";
      ExecutorService poller = Executors.newSingleThreadExecutor();
      brokers.pause(victim);
      long resumeBy = System.nanoTime() + PAUSE_AT_MOST.toNanos();
      try {
        while (!fenced && System.nanoTime() < resumeBy) {
          Future<BrokerProcesses.Result> poll = poller.submit(() ->
              cliInProcess("cluster", "describe", "--bootstrap", brokers.bootstrap(observer)));
          BrokerProcesses.Result r;
          try {
            r = poll.get(Math.max(1, resumeBy - System.nanoTime()), TimeUnit.NANOSECONDS);
          } catch (TimeoutException e) {
            break;
          }
          lastSeen = r.toString();
          if (r.exit() == 0) {
            ClusterDescription d = ClusterDescription.parse(r.out());
            fenced = d.brokers().containsKey(victim) && d.broker(victim).fenced();
          }
          if (!fenced) {
            sleep(Duration.ofMillis(200));
          }
        }
      } catch (InterruptedException | ExecutionException e) {
        throw new AssertionError("polling cluster describe during the pause", e);
      } finally {
        brokers.resume(victim);
        poller.shutdownNow();
      }
      assertTrue(fenced, "broker " + victim + " paused for " + PAUSE_AT_MOST.toSeconds()
          + " s was never reported " + ClusterDescription.FENCED + " by broker " + observer + "; last:\n" + lastSeen);

      ClusterDescription back = eventually(LIMIT, () -> {
        ClusterDescription d = describe(brokers, observer);
        assertTrue(d.broker(victim).registered(), d.text());
        assertTrue(d.broker(victim).epoch() > epochBefore,
            "Epoch " + d.broker(victim).epoch() + " is not above " + epochBefore + ":\n" + d.text());
        return d;
      });
      back.requireRegistered(brokers.ids());
      assertTrue(brokers.isRunning(victim), "the paused broker exited (was it downed by Pekko?)");
    }
  }

  // ------------------------------------------------------------------ d

  @Test
  void aBrokerBackOnAnEmptyDataDirectoryRegistersWithANewDirectoryAndEpoch() {
    try (BrokerProcesses brokers = quorum()) {
      createTopic(brokers, 0, "survives-the-disk", 2);
      ClusterDescription before = describe(brokers, 0);
      int controller = before.requireController();
      int victim = others(brokers, controller).get(0);
      int observer = others(brokers, victim).get(0);
      ClusterDescription.Broker old = before.broker(victim);

      brokers.restartOnEmptyDir(victim);

      eventually(LIMIT, () -> {
        ClusterDescription d = describe(brokers, observer).requireRegistered(brokers.ids());
        ClusterDescription.Broker now = d.broker(victim);
        assertNotEquals(old.directory(), now.directory(), "the same Directory after an empty disk:\n" + d.text());
        assertTrue(now.epoch() > old.epoch(), "Epoch " + now.epoch() + " is not above " + old.epoch() + ":\n" + d.text());
        Set<String> dirs = new HashSet<>();
        d.brokers().values().forEach(b -> dirs.add(b.directory()));
        assertEquals(d.brokers().size(), dirs.size(), "two brokers with one Directory:\n" + d.text());
      });
      eventually(LIMIT, () -> describe(brokers, victim).requireRegistered(brokers.ids()));
      eventually(LIMIT, () -> assertEquals(Set.of("survives-the-disk"), topics(brokers, victim)));
    }
  }

  // ------------------------------------------------------------------ helpers

  private static ClusterDescription describe(BrokerProcesses brokers, int via) {
    return ClusterDescription.parse(brokers.cliOk("cluster", "describe", "--bootstrap", brokers.bootstrap(via)));
  }

  private static void awaitAllRegistered(BrokerProcesses brokers, int via) {
    eventually(LIMIT, () -> {
      ClusterDescription d = describe(brokers, via).requireRegistered(brokers.ids());
      d.requireController();
      assertEquals(brokers.size(), d.brokers().size(), d.text());
    });
  }

  private static List<Integer> others(BrokerProcesses brokers, int id) {
    return brokers.ids().stream().filter(i -> i != id).toList();
  }

  /**
   * Creates a topic, retrying while the cluster has no controller; a retry after an answer that
   * was lost may find the topic made by the first try, which counts.
   */
  private static void createTopic(BrokerProcesses brokers, int via, String name, int partitions) {
    eventually(LIMIT, () -> {
      BrokerProcesses.Result r = brokers.cli("topic", "create", name, "--partitions", Integer.toString(partitions),
          "--bootstrap", brokers.bootstrap(via));
      if (r.exit() != 0 && !r.err().contains("already exists")) {
        throw new AssertionError(r.toString());
      }
    });
    eventually(LIMIT, () -> assertEquals(partitions, partitions(brokers, via, name), name));
  }

  private static void deleteTopic(BrokerProcesses brokers, int via, String name) {
    eventually(LIMIT, () -> {
      BrokerProcesses.Result r = brokers.cli("topic", "delete", name, "--bootstrap", brokers.bootstrap(via));
      if (r.exit() != 0 && !r.err().contains("does not exist")) {
        throw new AssertionError(r.toString());
      }
    });
    eventually(LIMIT, () -> assertTrue(!topics(brokers, via).contains(name), name + " still listed"));
  }

  private static Set<String> topics(BrokerProcesses brokers, int via) {
    return new TreeSet<>(brokers.cli("topic", "list", "--bootstrap", brokers.bootstrap(via)).requireOk().outLines());
  }

  private static int partitions(BrokerProcesses brokers, int via, String topic) {
    String out = brokers.cliOk("topic", "describe", topic, "--bootstrap", brokers.bootstrap(via));
    Matcher m = PARTITIONS.matcher(out);
    if (!m.find()) {
      throw new AssertionError("no Partitions: in\n" + out);
    }
    return Integer.parseInt(m.group(1));
  }

  private static String configs(BrokerProcesses brokers, int via, String topic) {
    String out = brokers.cliOk("topic", "describe", topic, "--bootstrap", brokers.bootstrap(via));
    Matcher m = CONFIGS.matcher(out.lines().findFirst().orElse(""));
    if (!m.find()) {
      throw new AssertionError("no Configs: in\n" + out);
    }
    return m.group(1);
  }

  /** {@code count} producer ids handed out by broker {@code via}, each retried until it is answered. */
  private static List<Long> producerIds(BrokerProcesses brokers, int via, int count) {
    List<Long> ids = new ArrayList<>();
    try (TributaryClient client = TributaryClient.connect(brokers.bootstrap(via))) {
      for (int i = 0; i < count; i++) {
        ids.add(eventually(LIMIT, () -> client.initProducerId().toCompletableFuture().get(30, TimeUnit.SECONDS)));
      }
    }
    return ids;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
