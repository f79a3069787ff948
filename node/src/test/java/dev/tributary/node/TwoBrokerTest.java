package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.NotAcknowledgedException;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.record.RecordBatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers in one cluster, clients bootstrapped from either: partitions and group coordinators
 * live on one node or the other; control requests reach them through whichever broker a client
 * talks to, and produce and fetch go to each partition's leader. (One replica per partition until
 * followers replicate.)
 */
class TwoBrokerTest {

  @TempDir Path dirA;
  @TempDir Path dirB;

  /** Broker 1's settings: its own data directory and port, joining broker 0 at {@code portA}. */
  private BrokerSettings second(int portA, int portB) {
    return new BrokerSettings(dirB, 1, "127.0.0.1", portB, List.of("127.0.0.1:" + portA), Map.of());
  }

  private TestBroker first(int portA) {
    return TestBroker.start(BrokerSettings.defaults().withDataDir(dirA).withPort(portA));
  }

  @Test
  void aGroupWithMembersOnBothBrokersConsumesEveryRecordOnce() throws Exception {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    try (TestBroker a = first(portA);
         TestBroker b = TestBroker.start(second(portA, portB));
         TributaryClient viaA = a.client();
         TributaryClient viaB = b.client()) {
      await(viaB.createTopic("spread", 8, Map.of()));
      try (Producer producer = new Producer(viaB, ProducerSettings.defaults())) {
        for (int i = 0; i < 1_000; i++) {
          producer.send("spread", ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        await(producer.flush());
      }
      ConsumerSettings settings = ConsumerSettings.defaults().withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST);
      Set<String> values = new HashSet<>();
      try (Consumer onA = new Consumer(viaA, settings); Consumer onB = new Consumer(viaB, settings)) {
        onA.subscribe("spread-group", List.of("spread"), RebalanceListener.NONE);
        onB.subscribe("spread-group", List.of("spread"), RebalanceListener.NONE);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (values.size() < 1_000) {
          assertTrue(System.nanoTime() < deadline, "gave up at " + values.size() + "; A holds " + onA.assignment()
              + ", B holds " + onB.assignment());
          for (Consumer c : List.of(onA, onB)) {
            for (ConsumerRecord r : c.poll(Duration.ofMillis(50))) {
              assertTrue(values.add(new String(r.value(), StandardCharsets.UTF_8)), "consumed twice: " + r);
            }
          }
        }
        assertEquals(8, onA.assignment().size() + onB.assignment().size());
      }
    }
  }

  /**
   * A batch too big for Artery's ordinary frames (256 KiB) but within max.message.bytes reaches a
   * partition on the other broker than the client's bootstrap: the client sends it straight to the
   * leader's data gateway, a large-message destination, and the bootstrap broker never relays it.
   */
  @Test
  void aBatchOfSixHundredKilobytesReachesAPartitionOnTheOtherBroker() throws Exception {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    try (TestBroker a = first(portA);
         TestBroker b = TestBroker.start(second(portA, portB));
         TributaryClient viaA = a.client()) {
      await(viaA.createTopic("bulky", 2, Map.of()));
      List<Integer> placement = await(viaA.metadata()).topics().get("bulky").partitionInfo().stream()
          .map(PartitionInfo::leader).toList();
      assertEquals(Set.of(0, 1), Set.copyOf(placement), "one partition on each broker: " + placement);
      byte[] value = new byte[600 * 1024];
      for (int p = 0; p < 2; p++) {
        RecordBatch batch = new dev.tributary.protocol.record.RecordBatchBuilder()
            .add(null, value, List.of(), System.currentTimeMillis()).build();
        var response = await(viaA.produce("bulky", p, batch, dev.tributary.protocol.message.Acks.ALL, Duration.ofSeconds(20)));
        assertEquals(ErrorCode.NONE, response.error(),
            "partition " + p + " on broker " + placement.get(p) + ": " + response.errorMessage());
        FetchResponse fetched = await(viaA.fetch("bulky", p, 0, 1 << 20, Duration.ZERO));
        assertEquals(value.length, RecordBatch.split(fetched.records().asByteBuffer()).get(0).records().get(0).value().length);
      }
    }
  }

  /**
   * A client given several bootstrap brokers, the first of them down, connects through one that
   * answers; when the broker it uses stops, its next requests go to another.
   */
  @Test
  void aClientGetsPastBootstrapBrokersThatAreDown() throws Exception {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    int nobody = TestBroker.freePort();
    TestBroker a = first(portA);
    TestBroker b = TestBroker.start(second(portA, portB));
    List<TestBroker> running = new java.util.ArrayList<>(List.of(b, a));
    try {
      try (TributaryClient admin = a.client()) {
        await(admin.createTopic("reachable", 2, Map.of()));
      }
      String list = "127.0.0.1:" + nobody + ",127.0.0.1:" + portB + ",127.0.0.1:" + portA;
      try (TributaryClient client = TributaryClient.connect(list, Duration.ofSeconds(2))) {
        String used = client.currentBootstrap();
        assertTrue(!used.equals("127.0.0.1:" + nobody), "connected through the address where nobody listens");
        assertTrue(await(client.metadata()).topics().containsKey("reachable"));

        TestBroker stopping = used.equals("127.0.0.1:" + portB) ? b : a;
        stopping.close();
        running.remove(stopping);
        MetadataResponse after = null;
        for (int attempt = 0; attempt < 3 && after == null; attempt++) {
          try {
            after = await(client.metadata());
          } catch (TributaryException unanswered) {
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, unanswered.code(), unanswered.getMessage());
          }
        }
        assertTrue(after != null && after.topics().containsKey("reachable"), "answered by the broker still running");
        assertTrue(!client.currentBootstrap().equals(used), "moved on from " + used);
      }
    } finally {
      running.forEach(TestBroker::close);
    }
  }

  /** Either broker's admin API sees both nodes and the same topics. */
  @Test
  void eitherBrokersAdminApiSeesTheWholeCluster() throws Exception {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    try (TestBroker a = first(portA);
         TestBroker b = TestBroker.start(second(portA, portB));
         TributaryClient viaA = a.client()) {
      await(viaA.createTopic("seen", 4, Map.of()));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      for (TestBroker broker : List.of(a, b)) {
        String base = "http://127.0.0.1:" + broker.broker().adminPort();
        String topics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/topics")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(topics.contains("\"seen\""), base + ": " + topics);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String cluster = "";
        while (System.nanoTime() < deadline) {
          cluster = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/v1/cluster")).build(),
              java.net.http.HttpResponse.BodyHandlers.ofString()).body();
          if (cluster.contains(":" + portA) && cluster.contains(":" + portB)) {
            break;
          }
          Thread.sleep(100);
        }
        assertTrue(cluster.contains(":" + portA) && cluster.contains(":" + portB), base + ": " + cluster);
        assertTrue(cluster.contains("\"nodeId\":0") && cluster.contains("\"nodeId\":1") && !cluster.contains("\"nodeId\":-1"),
            "every broker's id, learned from membership: " + cluster);
      }
    }
  }

  /**
   * A partition lives on the broker the controller placed it on. While that broker is away (it
   * stopped cleanly, so the controller fenced it and the partition has no leader), its requests are
   * refused at once, NOT_LEADER, by the broker the client asks, instead of waiting or starting an
   * empty copy there; when the broker returns the partition is back with all its records. A
   * produce refused throughout was not stored, and the client and the HTTP API say so.
   */
  @Test
  void aPartitionWhoseBrokerIsAwayIsRefusedAndComesBackWithItsData() throws Exception {
    int portA = TestBroker.freePort();
    int portB = TestBroker.freePort();
    BrokerSettings settingsB = second(portA, portB);
    // The admin API's produces get 2 s (tributary.admin.request-timeout), as the client's below.
    BrokerSettings settingsA = BrokerSettings.defaults().withDataDir(dirA).withPort(portA)
        .with("tributary.admin.request-timeout", "2s");
    try (TestBroker a = TestBroker.start(settingsA);
         TributaryClient viaA = a.client()) {
      TestBroker b = TestBroker.start(settingsB);
      try {
        await(viaA.createTopic("pinned", 4, Map.of()));
        List<Integer> placement = await(viaA.metadata()).topics().get("pinned").partitionInfo().stream()
            .map(PartitionInfo::leader).toList();
        assertEquals(Set.of(0, 1), Set.copyOf(placement), "partitions spread over both brokers: " + placement);
        try (Producer producer = new Producer(viaA, ProducerSettings.defaults())) {
          for (int i = 0; i < 400; i++) {
            producer.send("pinned", ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
          }
          await(producer.flush());
        }
        long[] ends = new long[4];
        for (int p = 0; p < 4; p++) {
          ends[p] = await(viaA.listOffsets("pinned", p, dev.tributary.protocol.message.ListOffsets.LATEST)).offset();
        }
        int onB = placement.indexOf(1);

        b.close();
        awaitMembers(a, 1);
        // Broker A knows the partition has no leader and says so; its log on B is never started empty on A.
        long refusedBy = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        FetchResponse refused = await(viaA.fetch("pinned", onB, 0, 1 << 20, Duration.ZERO));
        while (refused.error() != ErrorCode.NOT_LEADER && System.nanoTime() < refusedBy) {
          Thread.sleep(100); // until A has the metadata that fenced B
          refused = await(viaA.fetch("pinned", onB, 0, 1 << 20, Duration.ZERO));
        }
        assertEquals(ErrorCode.NOT_LEADER, refused.error(), refused.errorMessage());
        assertTrue(refused.errorMessage().contains("no leader"), refused.errorMessage());

        ProducerSettings quick = ProducerSettings.defaults().withLinger(Duration.ZERO)
            .withRequestTimeout(Duration.ofSeconds(2)).withDeliveryTimeout(Duration.ofSeconds(2));
        try (Producer producer = new Producer(viaA, quick)) {
          var sent = producer.send("pinned", onB, null, "refused-client".getBytes(StandardCharsets.UTF_8), List.of(),
              System.currentTimeMillis()).toCompletableFuture();
          var failed = assertThrows(java.util.concurrent.ExecutionException.class, () -> sent.get(60, TimeUnit.SECONDS));
          assertEquals(ErrorCode.NOT_LEADER, ((TributaryException) failed.getCause()).code(), failed.getCause().toString());
          assertTrue(!NotAcknowledgedException.mayHaveBeenStored(failed.getCause()), "refused, so not stored: " + failed.getCause());
        }
        HttpResponse<String> http = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + a.broker().adminPort() + "/v1/topics/pinned/records"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("[{\"value\":\"refused-http\",\"partition\":" + onB + "}]"))
            .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, http.statusCode(), http.body());
        assertTrue(http.body().contains("\"code\":\"NOT_LEADER\""), http.body());

        b = TestBroker.start(settingsB);
        for (int p = 0; p < 4; p++) {
          long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
          long end = -1;
          while (end != ends[p] && System.nanoTime() < deadline) {
            try {
              end = await(viaA.listOffsets("pinned", p, dev.tributary.protocol.message.ListOffsets.LATEST)).offset();
            } catch (RuntimeException notYet) {
              Thread.sleep(200);
            }
          }
          assertEquals(ends[p], end, "partition " + p + " (broker " + placement.get(p) + ") has all its records, "
              + "and none of the refused ones");
        }
      } finally {
        b.close();
      }
    }
  }

  /**
   * Waits until {@code broker}'s admin API lists exactly {@code count} cluster members (brokers the
   * controller registered but that are not members are listed as {@code Absent}: not counted).
   */
  private static void awaitMembers(TestBroker broker, int count) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + broker.broker().adminPort() + "/v1/cluster");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String body = http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      if (body.split("\"address\"", -1).length - body.split("\"memberStatus\":\"Absent\"", -1).length == count) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, "cluster never had " + count + " members: " + body);
      Thread.sleep(200);
    }
  }
}
