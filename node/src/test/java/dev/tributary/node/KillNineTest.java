package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker in a child JVM with {@code fsync=always} is killed with SIGKILL while a producer
 * writes; after a restart on the same data every acknowledged record is there.
 */
@RunsAlone
class KillNineTest {

  @TempDir Path dir;

  private Process startBroker(int port) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dir.resolve("broker-" + System.nanoTime() + ".log");
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
            "dev.tributary.node.cli.TributaryCli", "start", "--data-dir", dir.resolve("data").toString(),
            "--port", Integer.toString(port), "--fsync", "always")
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains("is up on")) {
        return p;
      }
      if (!p.isAlive()) {
        throw new AssertionError("the broker exited: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new AssertionError("the broker did not start: " + Files.readString(log));
  }

  @Test
  void everyAcknowledgedRecordSurvivesKillMinus9OfTheBroker() throws Exception {
    int port = TestBroker.freePort();
    Process broker = startBroker(port);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    try (TributaryClient client = TributaryClient.connect("127.0.0.1:" + port)) {
      await(client.createTopic("crashy", 2, Map.of()));
      Producer producer = new Producer(client, ProducerSettings.defaults().withRetries(0)
          .withLinger(Duration.ofMillis(1)));
      for (int i = 0; i < 200_000 && acknowledged.size() < 3_000; i++) {
        String value = "v" + i;
        producer.send("crashy", null, null, value.getBytes(StandardCharsets.UTF_8), List.of(), i)
            .whenComplete((m, e) -> {
              if (e == null) {
                acknowledged.add(value);
              }
            });
        if (i % 100 == 0) {
          Thread.sleep(1);
        }
      }
      new ProcessBuilder("kill", "-9", Long.toString(broker.pid())).start().waitFor();
      assertTrue(broker.waitFor(30, TimeUnit.SECONDS));
      producer.close(Duration.ofSeconds(2));
    }
    Set<String> ackedAtKill = new HashSet<>(acknowledged);
    assertTrue(ackedAtKill.size() >= 3_000, "acknowledged " + ackedAtKill.size());

    Process restarted = startBroker(port);
    try (TributaryClient client = TributaryClient.connect("127.0.0.1:" + port);
        Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      List<TopicPartition> tps = consumer.partitionsFor("crashy");
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Set<String> found = new HashSet<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!found.containsAll(ackedAtKill) && System.nanoTime() < deadline) {
        for (ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          found.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      Set<String> missing = new HashSet<>(ackedAtKill);
      missing.removeAll(found);
      assertEquals(Set.of(), missing, "acknowledged records missing after kill -9");
    } finally {
      restarted.destroy();
      restarted.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
