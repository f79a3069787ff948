package dev.tributary.node.quorum;

import dev.tributary.node.RunsAlone;
import static dev.tributary.node.quorum.BrokerProcesses.cliInProcess;
import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers, each a voter of the Raft controller quorum, with {@code --failover fast}
 * (session 2 s, heartbeat 250 ms, election 0.75-1.5 s), in child JVMs: the controller's broker killed,
 * the whole cluster killed and restarted, a broker paused past its session, a broker back on an
 * empty disk. Every wait is a margin ({@link BrokerProcesses#eventually}), not a sleep.
 *
 * <p>The brokers are child JVMs (they are SIGKILLed and SIGSTOPped); the polls and admin calls
 * are made in this JVM, by {@link TributaryClient}s, since a CLI JVM costs seconds on slow cores.
 * Each test still runs {@code cluster describe} once in a child JVM ({@link #describeCli}), so
 * the CLI's output stays covered through {@link ClusterDescription#parse}.
 */
@RunsAlone
class ControllerQuorumTest {

  /** Generous: two slow cores shared by three brokers and this test. */
  private static final Duration LIMIT = Duration.ofSeconds(60);

  /**
   * How long a broker stays SIGSTOPped at most: well past the 2 s session, well short of Pekko's
   * failure detector (3 s) plus the split-brain resolver's stable-after (20 s), so the broker is
   * fenced by the controller but never downed by Pekko.
   */
  private static final Duration PAUSE_AT_MOST = Duration.ofSeconds(10);

  /**
   * The in-process clients' control-request timeout (admin requests wait four times as long):
   * short, so an answer that does not come is asked for again on a new connection soon.
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  /**
   * How long one read (metadata, offsets) is asked for again while it goes unanswered, as long as
   * a CLI command's client waits for it (its 10 s request timeout); other errors fail at once.
   */
  private static final Duration READ_LIMIT = Duration.ofSeconds(10);

  private static final Pattern CONFIGS = Pattern.compile("\\tConfigs: (.*)");

  @TempDir Path dir;

  // ------------------------------------------------------------------ a

  @Test
  void killingTheControllersBrokerElectsAnotherAndLosesNoMetadata() {
    try (Quorum q = Quorum.start(dir)) {
      BrokerProcesses brokers = q.brokers;
      Map<String, Integer> before = new LinkedHashMap<>();
      before.put("keep-three", 3);
      before.put("keep-one", 1);
      before.put("doomed", 2);
      for (Map.Entry<String, Integer> t : before.entrySet()) {
        q.createTopic(0, t.getKey(), t.getValue());
      }
      for (Map.Entry<String, Integer> t : before.entrySet()) {
        assertEquals(t.getValue(), q.partitions(0, t.getKey()), t.getKey());
      }

      ClusterDescription first = describeCli(brokers, 0);
      int oldController = first.requireController();
      List<Integer> survivors = others(brokers, oldController);
      int survivor = survivors.get(0);
      // A create sent the moment the controller dies reaches a door that still forwards to it. The
      // door sends it again to the next controller, so it succeeds once, with no retry by the client.
      try (TributaryClient patient = TributaryClient.connect(brokers.bootstrap(survivor), Duration.ofSeconds(20))) {
        patient.metadata().toCompletableFuture().join();
        q.kill9(oldController);
        AdminResponse inFlight = patient.createTopic("in-flight-at-the-kill", 1, Map.of()).toCompletableFuture()
            .get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1, inFlight.topic().orElseThrow().partitions(), inFlight.toString());
      } catch (ExecutionException | TimeoutException | InterruptedException e) {
        throw new AssertionError("the create sent as the controller died did not succeed", e);
      }

      ClusterDescription failedOver = eventually(LIMIT, () -> {
        ClusterDescription d = q.describe(survivor);
        int c = d.requireController();
        assertNotEquals(oldController, c, "still the killed broker's controller:\n" + d.text());
        assertTrue(survivors.contains(c), d.text());
        assertTrue(d.controllerEpoch() > first.controllerEpoch(),
            "ControllerEpoch " + d.controllerEpoch() + " is not above " + first.controllerEpoch() + ":\n" + d.text());
        return d;
      });
      // The other survivor agrees on the new controller.
      eventually(LIMIT, () -> assertEquals(failedOver.controller(), q.describe(survivors.get(1)).controller()));

      // The new controller serves admin requests.
      q.createTopic(survivor, "after-failover", 2);
      q.deleteTopic(survivor, "doomed");
      eventually(LIMIT, () -> assertEquals(Set.of("after-failover", "in-flight-at-the-kill", "keep-one", "keep-three"), q.topics(survivor)));
      // Eventually: until the killed broker is fenced, its partitions' leader does not answer.
      for (String t : List.of("keep-three", "keep-one")) {
        eventually(LIMIT, () -> assertEquals(before.get(t), q.partitions(survivor, t), t));
      }
      eventually(LIMIT, () -> assertEquals(2, q.partitions(survivor, "after-failover")));

      // The killed broker comes back, registered; it need not be the controller again.
      q.restart(oldController);
      eventually(LIMIT, () -> {
        ClusterDescription d = q.describe(survivor).requireRegistered(brokers.ids());
        assertTrue(d.broker(oldController).epoch() > first.broker(oldController).epoch(),
            "broker " + oldController + " back with no new Epoch:\n" + d.text());
      });
      eventually(LIMIT, () -> assertEquals(Set.of("after-failover", "in-flight-at-the-kill", "keep-one", "keep-three"), q.topics(oldController)));
      eventually(LIMIT, () -> q.describe(oldController).requireRegistered(brokers.ids()));
      for (String t : List.of("keep-three", "keep-one")) {
        eventually(LIMIT, () -> assertEquals(before.get(t), q.partitions(oldController, t), t));
      }
    }
  }

  // ------------------------------------------------------------------ b

  @Test
  void aFullClusterRestartKeepsTopicsAndConfigsAndNeverReusesAProducerId() throws Exception {
    try (Quorum q = Quorum.start(dir)) {
      BrokerProcesses brokers = q.brokers;
      // Through CLI JVMs, as a user does: --config, and the Configs: field of topic describe.
      brokers.cliOk("topic", "create", "configured", "--partitions", "2", "--config", "retention.ms=12345",
          "--bootstrap", brokers.bootstrap(0));
      q.createTopic(1, "plain", 1);
      String configs = configsCli(brokers, 2, "configured");
      assertTrue(configs.contains("retention.ms=12345"), configs);

      List<Long> ids = new ArrayList<>();
      for (int b : brokers.ids()) {
        ids.addAll(q.producerIds(b, 3));
      }

      // During: the controller's broker killed, ids from the survivors.
      int controller = describeCli(brokers, 0).requireController();
      q.kill9(controller);
      for (int b : others(brokers, controller)) {
        ids.addAll(q.producerIds(b, 3));
      }
      q.restart(controller);
      q.awaitAllRegistered(controller);
      ids.addAll(q.producerIds(controller, 3));

      // After: every broker killed, all started again at once.
      q.kill9All();
      brokers.startAll();
      q.awaitAllRegistered(1);
      for (int b : brokers.ids()) {
        ids.addAll(q.producerIds(b, 3));
      }

      assertEquals(ids.size(), new HashSet<>(ids).size(), "a producer id was handed out twice: " + ids);

      for (int b : brokers.ids()) {
        eventually(LIMIT, () -> assertEquals(Set.of("configured", "plain"), q.topics(b)));
        eventually(LIMIT, () -> assertEquals(2, q.partitions(b, "configured")));
        eventually(LIMIT, () -> assertEquals(1, q.partitions(b, "plain")));
        Map<String, String> after = q.configs(b, "configured");
        assertEquals("12345", after.get("retention.ms"), "configs after the restart, on broker " + b + ": " + after);
      }
    }
  }

  // ------------------------------------------------------------------ c

  @Test
  void aBrokerPausedPastItsSessionIsFencedAndRegistersAgainWithANewEpochWhenResumed() {
    try (Quorum q = Quorum.start(dir)) {
      BrokerProcesses brokers = q.brokers;
      ClusterDescription before = describeCli(brokers, 0);
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
        ClusterDescription d = q.describe(observer);
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
    try (Quorum q = Quorum.start(dir)) {
      BrokerProcesses brokers = q.brokers;
      q.createTopic(0, "survives-the-disk", 2);
      ClusterDescription before = describeCli(brokers, 0);
      int controller = before.requireController();
      int victim = others(brokers, controller).get(0);
      int observer = others(brokers, victim).get(0);
      ClusterDescription.Broker old = before.broker(victim);

      q.restartOnEmptyDir(victim);

      eventually(LIMIT, () -> {
        ClusterDescription d = q.describe(observer).requireRegistered(brokers.ids());
        ClusterDescription.Broker now = d.broker(victim);
        assertNotEquals(old.directory(), now.directory(), "the same Directory after an empty disk:\n" + d.text());
        assertTrue(now.epoch() > old.epoch(), "Epoch " + now.epoch() + " is not above " + old.epoch() + ":\n" + d.text());
        Set<String> dirs = new HashSet<>();
        d.brokers().values().forEach(b -> dirs.add(b.directory()));
        assertEquals(d.brokers().size(), dirs.size(), "two brokers with one Directory:\n" + d.text());
      });
      eventually(LIMIT, () -> q.describe(victim).requireRegistered(brokers.ids()));
      eventually(LIMIT, () -> assertEquals(Set.of("survives-the-disk"), q.topics(victim)));
    }
  }

  // ------------------------------------------------------------------ helpers

  /** {@code tributary cluster describe} in a child JVM, parsed. */
  private static ClusterDescription describeCli(BrokerProcesses brokers, int via) {
    return ClusterDescription.parse(brokers.cliOk("cluster", "describe", "--bootstrap", brokers.bootstrap(via)));
  }

  /** The {@code Configs:} field of {@code tributary topic describe}, run in a child JVM. */
  private static String configsCli(BrokerProcesses brokers, int via, String topic) {
    String out = brokers.cliOk("topic", "describe", topic, "--bootstrap", brokers.bootstrap(via));
    Matcher m = CONFIGS.matcher(out.lines().findFirst().orElse(""));
    if (!m.find()) {
      throw new AssertionError("no Configs: in\n" + out);
    }
    return m.group(1);
  }

  private static List<Integer> others(BrokerProcesses brokers, int id) {
    return brokers.ids().stream().filter(i -> i != id).toList();
  }

  /**
   * The three brokers and one in-process client per broker, made on first use. A client is closed
   * (and made again when next needed) before its broker is killed or restarted, and whenever a
   * request through it goes unanswered, so no poll waits on a connection to a dead process.
   */
  private static final class Quorum implements AutoCloseable {
    final BrokerProcesses brokers;
    private final Map<Integer, TributaryClient> clients = new LinkedHashMap<>();

    private Quorum(BrokerProcesses brokers) {
      this.brokers = brokers;
    }

    /**
     * Starts the three brokers at once. Their JVMs compile with C1 only, like the CLI's: on two
     * shared cores C2's compiler threads slow the start-up of three JVMs by about a third, and
     * these brokers live a minute or two.
     */
    static Quorum start(Path dir) {
      Quorum q = new Quorum(BrokerProcesses.builder(dir).brokers(3)
          .controllerQuorum(true).fastFailover(true).seeds(BrokerProcesses.Seeds.ALL)
          .jvmOptions("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1").start());
      try {
        q.awaitAllRegistered(0);
        return q;
      } catch (RuntimeException | Error e) {
        q.close();
        throw e;
      }
    }

    // -------------------------------------------------------------- brokers

    void kill9(int id) {
      drop(id);
      brokers.kill9(id);
    }

    void kill9All() {
      dropAll();
      brokers.kill9All();
    }

    void restart(int id) {
      drop(id);
      brokers.restart(id);
    }

    void restartOnEmptyDir(int id) {
      drop(id);
      brokers.restartOnEmptyDir(id);
    }

    // -------------------------------------------------------------- reads

    ClusterDescription describe(int via) {
      return ClusterDescription.of(metadata(via));
    }

    void awaitAllRegistered(int via) {
      eventually(LIMIT, () -> {
        ClusterDescription d = describe(via).requireRegistered(brokers.ids());
        d.requireController();
        assertEquals(brokers.size(), d.brokers().size(), d.text());
      });
    }

    Set<String> topics(int via) {
      return new TreeSet<>(metadata(via).topics().keySet());
    }

    /**
     * The topic's partition count, as {@code topic describe} checks it: the topic is known, and
     * every partition with a leader answers for its offsets.
     */
    int partitions(int via, String topic) {
      TopicMetadata t = topic(via, topic);
      for (int p = 0; p < t.partitions(); p++) {
        if (t.leaders().get(p).isEmpty()) {
          continue; // offline: its broker is fenced, there is no one to ask
        }
        int partition = p;
        read(via, c -> c.listOffsets(topic, partition, ListOffsets.EARLIEST));
      }
      return t.partitions();
    }

    Map<String, String> configs(int via, String topic) {
      return topic(via, topic).configs();
    }

    private TopicMetadata topic(int via, String topic) {
      TopicMetadata t = metadata(via).topics().get(topic);
      if (t == null) {
        throw new AssertionError("topic '" + topic + "' does not exist on broker " + via);
      }
      return t;
    }

    private MetadataResponse metadata(int via) {
      return read(via, TributaryClient::metadata);
    }

    // -------------------------------------------------------------- changes

    /**
     * Creates a topic, retrying while the cluster has no controller; a retry after an answer that
     * was lost may find the topic made by the first try, which counts.
     */
    void createTopic(int via, String name, int partitions) {
      eventually(LIMIT, () -> {
        try {
          call(via, c -> c.createTopic(name, partitions, Map.of()));
        } catch (TributaryException e) {
          if (e.code() != ErrorCode.TOPIC_ALREADY_EXISTS) {
            throw e;
          }
        }
      });
      eventually(LIMIT, () -> assertEquals(partitions, partitions(via, name), name));
    }

    void deleteTopic(int via, String name) {
      eventually(LIMIT, () -> {
        try {
          call(via, c -> c.deleteTopic(name));
        } catch (TributaryException e) {
          if (e.code() != ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
            throw e;
          }
        }
      });
      eventually(LIMIT, () -> assertTrue(!topics(via).contains(name), name + " still listed"));
    }

    /** {@code count} producer ids handed out by broker {@code via}, each retried until it is answered. */
    List<Long> producerIds(int via, int count) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        ids.add(eventually(LIMIT, () -> call(via, TributaryClient::initProducerId)));
      }
      return ids;
    }

    // -------------------------------------------------------------- clients

    /** {@link #call}, asked again on a new connection while unanswered, for at most READ_LIMIT. */
    private <T> T read(int via, Function<TributaryClient, CompletionStage<T>> request) {
      long deadline = System.nanoTime() + READ_LIMIT.toNanos();
      while (true) {
        try {
          return call(via, request);
        } catch (TributaryException e) {
          if (!unanswered(e) || System.nanoTime() >= deadline) {
            throw e;
          }
          sleep(BrokerProcesses.POLL);
        }
      }
    }

    /** One request through broker {@code via}'s client; its error as thrown, the client dropped if unanswered. */
    private <T> T call(int via, Function<TributaryClient, CompletionStage<T>> request) {
      TributaryClient client = clients.computeIfAbsent(via,
          id -> TributaryClient.connect(brokers.bootstrap(id), REQUEST_TIMEOUT));
      try {
        // The client times every request out itself; this only guards against a lost completion.
        return request.apply(client).toCompletableFuture().get(REQUEST_TIMEOUT.multipliedBy(4).plusSeconds(10).toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = Failures.cause(e);
        if (cause instanceof TributaryException t && unanswered(t)) {
          drop(via);
        }
        // The test's own stack, which the future's failure lacks.
        cause.addSuppressed(new AssertionError("a request through broker " + via + " at " + brokers.bootstrap(via)));
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new AssertionError("request through broker " + via, cause);
      } catch (TimeoutException e) {
        drop(via);
        throw new TributaryException(ErrorCode.REQUEST_TIMED_OUT, "no completion from the client of broker " + via);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    private static boolean unanswered(TributaryException e) {
      return e.code() == ErrorCode.REQUEST_TIMED_OUT || e.code() == ErrorCode.BROKER_NOT_AVAILABLE;
    }

    private void drop(int id) {
      TributaryClient c = clients.remove(id);
      if (c != null) {
        c.close();
      }
    }

    private void dropAll() {
      for (int id : List.copyOf(clients.keySet())) {
        drop(id);
      }
    }

    /** Closes the clients first (their brokers still run), then SIGKILLs the brokers. */
    @Override
    public void close() {
      try {
        dropAll();
      } finally {
        brokers.close();
      }
    }
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
