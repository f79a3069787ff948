package dev.tributary.node.quorum;

import dev.tributary.node.RunsAlone;
import static dev.tributary.node.quorum.BrokerProcesses.eventually;
import static dev.tributary.node.quorum.FailoverCluster.LIMIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.node.quorum.VerifiableEvents.Placed;
import dev.tributary.protocol.GroupPartitions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented rolling restart, run as a user runs it: {@code bin/rolling-restart.sh} over three
 * brokers in child JVMs ({@link FailoverCluster}), stopping each with SIGTERM through its pid file
 * and starting it again with its {@link BrokerProcesses#startScript}, while a {@code
 * verifiable-producer} writes with {@code acks=all} to a topic of three partitions with three
 * copies and {@code min.insync.replicas=2}. Each broker's controlled shutdown moves its
 * leaderships (of the group log too) before it leaves, so the restart costs the producer no
 * failover: no record fails, and every acknowledged one is read back.
 */
@RunsAlone
class RollingRestartTest {

  private static final String TOPIC = "rolling";
  private static final int PARTITIONS = 3;
  /** Records per second the producer sends, all through the restart. */
  private static final int RATE = 400;
  /** The script's limit per step (stop, start until ready, ISRs full): generous on two slow cores. */
  private static final int STEP_TIMEOUT_S = 120;
  /** The whole script: three brokers, three steps each, far less than their limits. */
  private static final Duration SCRIPT_LIMIT = Duration.ofMinutes(8);
  /** The producer's last records: its delivery timeout (120 s) bounds them, plus a JVM's exit. */
  private static final Duration PRODUCER_LIMIT = Duration.ofSeconds(150);

  /** A line of the script: its time, the broker, what happened. */
  private static final Pattern STEP = Pattern.compile("^(\\S+Z) broker (\\d+): (stopping|ready|restarted)\\b.*");

  @TempDir Path dir;

  @Test
  void theRollingRestartScriptUnderAcksAllLoadLosesNoAcknowledgedRecordAndTheProducerSeesNoError() throws Exception {
    long testStart = System.nanoTime();
    try (BrokerProcesses brokers = FailoverCluster.start(dir); ClusterWatch watch = ClusterWatch.open(brokers)) {
      FailoverCluster.createReplicatedTopic(brokers, TOPIC, PARTITIONS, 2);
      FailoverCluster.awaitGroupLog(watch); // its partitions are led, and handed over, too
      for (int p = 0; p < PARTITIONS; p++) {
        FailoverCluster.awaitFullIsr(watch, TOPIC, p);
      }
      List<String> script;
      BrokerProcesses.Result produced;
      try (BrokerProcesses.Background producer = brokers.cliInBackground("verifiable-producer", "--topic", TOPIC,
          "--throughput", Integer.toString(RATE), "--acks", "all", "--bootstrap", brokers.bootstrapAll())) {
        producer.awaitLines(l -> VerifiableEvents.isEvent(l, "producer_send_success"), RATE, LIMIT);
        script = runRollingRestart(brokers);
        producer.awaitLines(l -> VerifiableEvents.isEvent(l, "producer_send_success"),
            (int) acknowledged(producer) + RATE, LIMIT); // and it goes on after the last restart
        produced = producer.terminate(PRODUCER_LIMIT); // SIGTERM (exit 143): it flushes, then exits
      }
      VerifiableEvents events = VerifiableEvents.parse(produced.out());
      assertEquals("shutdown_complete", events.last(1).get(0).get("name").asText(), produced.toString());
      List<Placed> acked = events.acknowledged();
      List<JsonNode> errors = events.named("producer_send_error");
      Map<Integer, long[]> windows = restartWindows(script);
      assertEquals(brokers.ids(), List.copyOf(windows.keySet()), "each broker restarted, in order: " + script);
      long sent = events.toolData().get("sent").asLong();
      System.out.printf("rolling restart: %d records sent, %d acknowledged, %d failed; longest pause between "
              + "acknowledgements %d ms; per broker, stop to ready / to full ISRs: %s%n", sent, acked.size(), errors.size(),
          longestPause(events), perBroker(script));
      assertTrue(errors.isEmpty(), errors.size() + " record(s) failed, " + duringRestarts(errors, windows)
          + "; the first: " + (errors.isEmpty() ? "" : errors.get(0)));
      assertEquals(sent, acked.size(), "every record sent was acknowledged: " + events.toolData());

      // Each broker handed its leaderships over before it left (its log of the run it was stopped in).
      for (int id : brokers.ids()) {
        String stoppedRun = Files.readString(brokers.log(id, 1));
        assertTrue(stoppedRun.contains("broker " + id + " handed over in"), "broker " + id + "'s controlled shutdown "
            + "did not complete its handover:\n" + BrokerProcesses.tail(stoppedRun, 30));
      }

      // Every broker back in every ISR, of the group log too.
      for (int p = 0; p < PARTITIONS; p++) {
        FailoverCluster.awaitFullIsr(watch, TOPIC, p);
      }
      for (int p = 0; p < FailoverCluster.GROUP_PARTITIONS; p++) {
        FailoverCluster.awaitFullIsr(watch, GroupPartitions.TOPIC, p);
      }

      // Read back: every acknowledged record, at its offset, with its value.
      long total = 0;
      for (int p = 0; p < PARTITIONS; p++) {
        total += watch.partition(TOPIC, p).highWatermark();
      }
      assertEquals(acked.size(), total, "the partitions hold exactly the acknowledged records (idempotence)");
      BrokerProcesses.Result read = brokers.cli("verifiable-consumer", "--topic", TOPIC, "--group-id", "checker",
          "--max-messages", Long.toString(total), "--reset-policy", "earliest", "--verbose",
          "--bootstrap", brokers.bootstrapAll()).requireOk();
      Map<String, String> stored = new HashMap<>();
      VerifiableEvents.parse(read.out()).read().forEach(r -> stored.put(r.partition() + "@" + r.offset(), r.value()));
      List<Placed> missing = acked.stream().filter(a -> !a.value().equals(stored.get(a.partition() + "@" + a.offset())))
          .toList();
      assertTrue(missing.isEmpty(), missing.size() + " acknowledged record(s) not read back, the first: "
          + missing.stream().limit(5).toList());
    }
    System.out.printf("RollingRestartTest took %.0f s%n", (System.nanoTime() - testStart) / 1e9);
  }

  /**
   * {@code bin/rolling-restart.sh} over every broker, in a child process: SIGTERM through the pid
   * file, {@code start.sh} to start again. Fails unless it exits 0; its stdout lines.
   */
  private List<String> runRollingRestart(BrokerProcesses brokers) throws IOException, InterruptedException {
    Path scriptFile = Path.of(System.getProperty("user.dir")).getParent().resolve("bin").resolve("rolling-restart.sh");
    assertTrue(Files.isRegularFile(scriptFile), "no " + scriptFile);
    List<String> command = new ArrayList<>(List.of("bash", scriptFile.toString(),
        "--start", "bash " + template(brokers.startScript(0), "0"),
        "--pid-file", template(brokers.pidFile(0), "0"),
        "--timeout", Integer.toString(STEP_TIMEOUT_S)));
    for (int id : brokers.ids()) {
      brokers.startScript(id);
      command.add(id + "=http://127.0.0.1:" + brokers.managementPort(id) + ",http://127.0.0.1:" + brokers.adminPort(id));
    }
    Path out = dir.resolve("rolling-restart.out");
    Path err = dir.resolve("rolling-restart.err");
    Process script = new ProcessBuilder(command).directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    try {
      boolean exited = script.waitFor(SCRIPT_LIMIT.toSeconds(), TimeUnit.SECONDS);
      String report = "\n--- stdout:\n" + Files.readString(out) + "--- stderr:\n" + Files.readString(err);
      assertTrue(exited, "the rolling restart still runs after " + SCRIPT_LIMIT + report);
      assertEquals(0, script.exitValue(), "the rolling restart failed" + report);
      return Files.readAllLines(out);
    } finally {
      script.destroyForcibly();
      script.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Broker 0's path with its id as the script's {@code {id}}: {@code .../broker-{id}/start.sh}. */
  private static String template(Path forBrokerZero, String id) {
    String path = forBrokerZero.toString();
    int at = path.lastIndexOf("broker-" + id);
    return path.substring(0, at) + "broker-{id}" + path.substring(at + ("broker-" + id).length());
  }

  /** Each broker's restart, from "stopping" to "restarted" (full ISRs again), in epoch ms, in order. */
  private static Map<Integer, long[]> restartWindows(List<String> script) {
    Map<Integer, long[]> windows = new java.util.LinkedHashMap<>();
    for (String line : script) {
      Matcher m = STEP.matcher(line);
      if (!m.matches()) {
        continue;
      }
      long at = Instant.parse(m.group(1)).toEpochMilli();
      long[] w = windows.computeIfAbsent(Integer.parseInt(m.group(2)), id -> new long[] {-1, -1, -1});
      w[switch (m.group(3)) { case "stopping" -> 0; case "ready" -> 1; default -> 2; }] = at;
    }
    return windows;
  }

  /** Where failures fell: how many while a broker was between its stop and its full ISRs. */
  private static String duringRestarts(List<JsonNode> errors, Map<Integer, long[]> windows) {
    long inside = errors.stream().filter(e -> windows.values().stream().anyMatch(w ->
        e.get("timestamp").asLong() >= w[0] && e.get("timestamp").asLong() <= w[2])).count();
    return inside + " of them while a broker restarted";
  }

  /** The longest time between two acknowledgements while the producer ran (ms). */
  private static long longestPause(VerifiableEvents events) {
    List<Long> times = events.named("producer_send_success").stream().map(e -> e.get("timestamp").asLong()).sorted().toList();
    long longest = 0;
    for (int i = 1; i < times.size(); i++) {
      longest = Math.max(longest, times.get(i) - times.get(i - 1));
    }
    return longest;
  }

  private static String perBroker(List<String> script) {
    StringBuilder s = new StringBuilder();
    restartWindows(script).forEach((id, w) ->
        s.append(s.length() == 0 ? "" : ", ").append(id).append(": ").append(w[1] - w[0]).append("/").append(w[2] - w[0])
            .append(" ms"));
    return s.toString();
  }

  private static long acknowledged(BrokerProcesses.Background producer) {
    return producer.lines().stream().filter(l -> VerifiableEvents.isEvent(l, "producer_send_success")).count();
  }
}
