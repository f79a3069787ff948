package dev.tributary.node.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over real HTTP against a real broker. */
class AdminApiTest {

  private static final String TOKEN = "s3cret-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static TestBroker broker;
  private static HttpClient http;
  private static String base;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.admin.token", TOKEN));
    base = "http://127.0.0.1:" + broker.broker().adminPort();
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private record Reply(int status, String contentType, JsonNode body, String raw) {}

  private static Reply send(String method, String path, String contentType, String body, String token) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (contentType != null) {
        b.header("Content-Type", contentType);
      }
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String raw = r.body();
      boolean isJson = r.headers().firstValue("Content-Type").orElse("").contains("json");
      JsonNode json = raw == null || raw.isEmpty() || !isJson ? null : JSON.readTree(raw);
      return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), json, raw);
    } catch (Exception e) {
      throw new AssertionError(method + " " + path + ": " + e, e);
    }
  }

  private static Reply call(String method, String path, String body) {
    return send(method, path, body == null ? null : "application/json", body, TOKEN);
  }

  private static void assertProblem(Reply r, int status, String code) {
    assertEquals(status, r.status(), r.raw());
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    assertEquals(status, r.body().get("status").asInt());
    assertEquals(code, r.body().get("code").asText(), r.raw());
    assertFalse(r.body().get("detail").asText().isBlank(), "a detail that says what is wrong");
    assertTrue(r.body().get("type").asText().startsWith("urn:tributary:error:"));
    assertFalse(r.raw().contains("Exception"), "no stack trace: " + r.raw());
  }

  private static List<String> topicNames() {
    Reply r = call("GET", "/v1/topics", null);
    assertEquals(200, r.status());
    return r.body().get("topics").findValuesAsText("name");
  }

  @Test
  void everyRouteInTheOpenApiDocumentAnswers() {
    call("POST", "/v1/topics", "{\"name\":\"documented\",\"partitions\":1}");
    call("POST", "/v1/groups/documented-group/offsets", "{\"topic\":\"documented\",\"toEarliest\":true}");
    Reply doc = call("GET", "/v1/openapi.json", null);
    assertEquals(200, doc.status());
    assertTrue(doc.body().get("openapi").asText().startsWith("3."));
    java.util.Map<String, String> bodies = java.util.Map.of(
        "post /v1/topics", "{\"name\":\"documented-2\",\"partitions\":1}",
        "patch /v1/topics/{name}", "{\"partitions\":2}",
        "post /v1/topics/{name}/records", "[{\"value\":\"v\"}]",
        "post /v1/groups/{group}/offsets", "{\"topic\":\"documented\",\"toEarliest\":true}");
    int checked = 0;
    for (var path = doc.body().get("paths").fields(); path.hasNext(); ) {
      var entry = path.next();
      for (String method : List.of("get", "post", "patch", "delete")) {
        if (!entry.getValue().has(method) || method.equals("delete")) {
          continue; // DELETE is exercised in the topic lifecycle test
        }
        String concrete = entry.getKey().replace("{name}", "documented").replace("{partition}", "0")
            .replace("{group}", "documented-group");
        Reply r = call(method.toUpperCase(java.util.Locale.ROOT), concrete, bodies.get(method + " " + entry.getKey()));
        assertTrue(r.status() < 400, method + " " + concrete + " -> " + r.status() + " " + r.raw());
        checked++;
      }
    }
    assertTrue(checked >= 11, "checked " + checked + " routes");
    assertTrue(doc.body().get("paths").get("/v1/topics/{name}").has("delete"));
  }

  @Test
  void groupsAreListedDescribedWithLagResetAndDeleted() throws Exception {
    call("POST", "/v1/topics", "{\"name\":\"grouped\",\"partitions\":2}");
    StringBuilder records = new StringBuilder("[");
    for (int i = 0; i < 10; i++) {
      records.append(i == 0 ? "" : ",").append("{\"value\":\"r").append(i).append("\",\"partition\":").append(i % 2).append("}");
    }
    assertEquals(200, call("POST", "/v1/topics/grouped/records", records.append("]").toString()).status());
    try (dev.tributary.client.TributaryClient client = broker.client()) {
      dev.tributary.client.Consumer consumer = new dev.tributary.client.Consumer(client,
          dev.tributary.client.ConsumerSettings.defaults().withAutoOffsetReset(
              dev.tributary.client.ConsumerSettings.OffsetReset.EARLIEST));
      consumer.subscribe("hg", List.of("grouped"), dev.tributary.client.RebalanceListener.NONE, 3_000);
      int read = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (read < 10 && System.nanoTime() < deadline) {
        read += consumer.poll(Duration.ofMillis(200)).size();
      }
      consumer.commitSync();
      Reply live = call("GET", "/v1/groups/hg", null);
      assertEquals(200, live.status(), live.raw());
      assertEquals(0, live.body().get("coordinator").asInt(), "the coordinator's broker: " + live.raw());
      assertEquals(1, live.body().get("members").size());
      assertEquals(2, live.body().get("partitions").size());
      assertEquals(0, live.body().get("partitions").get(0).get("lag").asLong());
      assertEquals(5, live.body().get("partitions").get(0).get("committedOffset").asLong());
      assertEquals(0, groupLag("hg", 0), "lag in /metrics after the commit");
      assertProblem(call("POST", "/v1/groups/hg/offsets", "{\"topic\":\"grouped\",\"toEarliest\":true}"), 409, "GROUP_NOT_EMPTY");
      assertProblem(call("DELETE", "/v1/groups/hg", null), 409, "GROUP_NOT_EMPTY");
      consumer.close();
    }
    assertEquals(200, call("POST", "/v1/groups/hg/offsets", "{\"topic\":\"grouped\",\"toEarliest\":true}").status());
    Reply reset = call("GET", "/v1/groups/hg", null);
    assertEquals("Empty", reset.body().get("state").asText());
    assertEquals(5, reset.body().get("partitions").get(1).get("lag").asLong(), "lag after resetting to earliest");
    assertEquals(5, groupLag("hg", 1), "lag in /metrics after the reset");
    assertTrue(call("GET", "/v1/groups", null).body().get("groups").toString().contains("\"hg\""));
    assertProblem(call("POST", "/v1/groups/hg/offsets", "{\"topic\":\"grouped\"}"), 400, "INVALID_REQUEST");
    assertProblem(call("POST", "/v1/groups/hg/offsets", "{\"topic\":\"nope\",\"toLatest\":true}"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    assertEquals(204, call("DELETE", "/v1/groups/hg", null).status());
    assertProblem(call("GET", "/v1/groups/hg", null), 404, "GROUP_ID_NOT_FOUND");
    assertTrue(send("GET", "/metrics", null, null, TOKEN).raw().lines().noneMatch(l -> l.contains("group=\"hg\"")),
        "a deleted group's series are gone");
    assertTrue(call("GET", "/v1/groups", null).body().get("groups").toString().indexOf("\"hg\"") < 0,
        "a deleted group is not listed");
  }

  /** The tributary_group_lag sample of a group's partition of topic "grouped", from /metrics. */
  private static long groupLag(String group, int partition) {
    String scraped = send("GET", "/metrics", null, null, TOKEN).raw();
    return scraped.lines()
        .filter(l -> l.startsWith("tributary_group_lag{") && l.contains("group=\"" + group + "\"")
            && l.contains("topic=\"grouped\"") && l.contains("partition=\"" + partition + "\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst().orElseThrow(() -> new AssertionError("no lag series for " + group + "/" + partition + ":\n" + scraped));
  }

  @Test
  void healthNeedsNoTokenAndSaysAliveAndReady() {
    Reply alive = send("GET", "/health/alive", null, null, null);
    assertEquals(200, alive.status());
    assertEquals("alive", alive.body().get("status").asText());
    Reply ready = send("GET", "/health/ready", null, null, null);
    assertEquals(200, ready.status());
    assertEquals("ready", ready.body().get("status").asText());
  }

  @Test
  void everyOtherRouteNeedsTheToken() {
    Reply none = send("GET", "/v1/topics", null, null, null);
    assertProblem(none, 401, "UNAUTHORIZED");
    assertProblem(send("GET", "/v1/topics", null, null, "wrong"), 403, "FORBIDDEN");
    assertEquals(200, send("GET", "/v1/topics", null, null, TOKEN).status());
    assertProblem(send("GET", "/v1/cluster", null, null, null), 401, "UNAUTHORIZED");
  }

  @Test
  void topicsAreCreatedListedDescribedGrownAndDeleted() throws Exception {
    Reply created = call("POST", "/v1/topics",
        "{\"name\":\"orders\",\"partitions\":3,\"configs\":{\"retention.ms\":86400000}}");
    assertEquals(201, created.status(), created.raw());
    assertEquals("orders", created.body().get("name").asText());
    assertEquals(3, created.body().get("partitions").asInt());
    assertEquals("86400000", created.body().get("configs").get("retention.ms").asText());
    assertEquals(3, created.body().get("partitionDetails").size());
    assertEquals(0, created.body().get("partitionDetails").get(2).get("highWatermark").asLong());
    assertTrue(topicNames().contains("orders"));

    Reply described = call("GET", "/v1/topics/orders", null);
    assertEquals(200, described.status());
    assertEquals(created.body().get("topicId"), described.body().get("topicId"));
    JsonNode first = described.body().get("partitionDetails").get(0);
    assertEquals(0, first.get("leader").asInt(), "the single broker (id 0) leads: " + first);
    assertFalse(first.get("leaderAddress").asText().isEmpty());
    assertEquals("[0]", first.get("replicas").toString());
    assertEquals("[0]", first.get("isr").toString());
    assertEquals(1, described.body().get("replicationFactor").asInt());
    assertProblem(call("POST", "/v1/topics", "{\"name\":\"too-many-copies\",\"partitions\":1,\"replicationFactor\":3}"),
        400, "INVALID_REPLICATION_FACTOR");
    assertFalse(topicNames().contains("too-many-copies"), "a refused create makes nothing");
    assertEquals(0, described.body().get("partitionDetails").get(0).get("sizeBytes").asLong(), "nothing written yet");

    Reply grown = call("PATCH", "/v1/topics/orders", "{\"partitions\":5}");
    assertEquals(200, grown.status(), grown.raw());
    assertEquals(5, grown.body().get("partitions").asInt());
    assertProblem(call("PATCH", "/v1/topics/orders", "{\"partitions\":2}"), 400, "INVALID_PARTITIONS");

    Reply configured = call("PATCH", "/v1/topics/orders", "{\"configs\":{\"max.message.bytes\":\"2048\",\"retention.ms\":\"\"}}");
    assertEquals(200, configured.status(), configured.raw());
    assertEquals("2048", configured.body().get("configs").get("max.message.bytes").asText());
    assertFalse(configured.body().get("configs").has("retention.ms"), "an empty value resets to the default");
    assertProblem(call("PATCH", "/v1/topics/orders", "{\"configs\":{\"retention.bytes\":-9}}"), 400, "INVALID_CONFIG");
    assertProblem(call("PATCH", "/v1/topics/orders", "{\"configs\":{\"bogus\":1},\"partitions\":9}"), 400, "INVALID_CONFIG");
    assertProblem(call("PATCH", "/v1/topics/orders", "{\"configs\":{\"retention.ms\":1},\"partitions\":1}"), 400, "INVALID_PARTITIONS");
    Reply unchanged = call("GET", "/v1/topics/orders", null);
    assertEquals(5, unchanged.body().get("partitions").asInt(), "a refused PATCH changed nothing");
    assertFalse(unchanged.body().get("configs").has("retention.ms"));

    Reply cluster = call("GET", "/v1/cluster", null);
    assertEquals(200, cluster.status());
    assertEquals(0, cluster.body().get("controller").asInt(), "the single broker is the controller");
    assertTrue(cluster.body().get("controllerEpoch").asLong() >= 1);
    assertFalse(cluster.body().get("clusterId").asText().isEmpty());
    JsonNode node = cluster.body().get("nodes").get(0);
    assertEquals("Up", node.get("memberStatus").asText());
    assertEquals("Registered", node.get("status").asText());
    assertTrue(node.get("brokerEpoch").asLong() >= 1, node.toString());
    assertTrue(node.has("kafkaAddress") && node.get("kafkaAddress").isTextual(),
        "the Kafka listener it registered (\"\" if none): " + node);

    Reply deleted = call("DELETE", "/v1/topics/orders", null);
    assertEquals(204, deleted.status(), deleted.raw());
    assertFalse(topicNames().contains("orders"));
    assertFalse(Files.exists(dir.resolve("journal").resolve("orders-0")), "its data is removed from disk");
    assertEquals(201, call("POST", "/v1/topics", "{\"name\":\"orders\",\"partitions\":1}").status(),
        "the name can be created again");
    call("DELETE", "/v1/topics/orders", null);
  }

  @Test
  void recordsProducedOverHttpAreReadByTheClientAndTheOtherWayRound() throws Exception {
    assertEquals(201, call("POST", "/v1/topics", "{\"name\":\"mixed\",\"partitions\":2}").status());
    Reply produced = call("POST", "/v1/topics/mixed/records",
        "[{\"key\":\"k1\",\"value\":\"hello\",\"headers\":{\"h\":\"x\"},\"partition\":1},"
            + "{\"value\":\"AAEC/w==\",\"encoding\":\"base64\",\"partition\":1},"
            + "{\"key\":\"k3\",\"value\":null,\"partition\":1}]");
    assertEquals(200, produced.status(), produced.raw());
    assertEquals(List.of(0L, 1L, 2L), produced.body().get("offsets").findValues("offset").stream().map(JsonNode::asLong).toList());

    try (dev.tributary.client.TributaryClient client = broker.client();
        dev.tributary.client.Consumer consumer = new dev.tributary.client.Consumer(client,
            dev.tributary.client.ConsumerSettings.defaults())) {
      var tp = new dev.tributary.client.TopicPartition("mixed", 1);
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      List<dev.tributary.client.ConsumerRecord> got = new java.util.ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (got.size() < 3 && System.nanoTime() < deadline) {
        got.addAll(consumer.poll(Duration.ofMillis(300)));
      }
      assertEquals("hello", new String(got.get(0).value(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("k1", new String(got.get(0).key(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals("x", new String(got.get(0).headers().get(0).value(), java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(List.of((byte) 0, (byte) 1, (byte) 2, (byte) -1),
          List.of(got.get(1).value()[0], got.get(1).value()[1], got.get(1).value()[2], got.get(1).value()[3]));
      assertEquals(null, got.get(2).value());

      try (dev.tributary.client.Producer producer = new dev.tributary.client.Producer(client,
          dev.tributary.client.ProducerSettings.defaults())) {
        producer.send("mixed", 0, "ck".getBytes(), "from the client".getBytes(), List.of(), 42L)
            .toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
    Reply sized = call("GET", "/v1/topics/mixed", null);
    assertTrue(sized.body().get("partitionDetails").get(1).get("sizeBytes").asLong() > 0, "size on disk: " + sized.raw());
    Reply browsed = call("GET", "/v1/topics/mixed/partitions/0/records?offset=0&limit=10", null);
    assertEquals(200, browsed.status(), browsed.raw());
    JsonNode first = browsed.body().get("records").get(0);
    assertEquals(0, first.get("offset").asLong());
    assertEquals("ck", first.get("key").asText());
    assertEquals("from the client", first.get("value").asText());
    assertEquals(42, first.get("timestamp").asLong());
    assertEquals(1, browsed.body().get("nextOffset").asLong());

    Reply asBase64 = call("GET", "/v1/topics/mixed/partitions/1/records?offset=1&limit=1&encoding=base64", null);
    assertEquals("AAEC/w==", asBase64.body().get("records").get(0).get("value").asText());
    assertEquals(1, asBase64.body().get("records").size(), "limit is honoured");

    Reply metrics = send("GET", "/metrics", null, null, TOKEN);
    assertEquals(200, metrics.status());
    assertTrue(metrics.contentType().startsWith("text/plain"), metrics.contentType());
    assertTrue(metrics.raw().lines().anyMatch(l -> l.startsWith("tributary_produced_records_total{")
        && l.contains("topic=\"mixed\"") && l.endsWith(" 4.0")), "records produced per topic:\n" + metrics.raw());
    assertTrue(metrics.raw().lines().anyMatch(l -> l.startsWith("tributary_partition_log_end_offset{")
        && l.contains("topic=\"mixed\"") && l.contains("partition=\"1\"") && l.endsWith(" 3.0")), "log end offset");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.startsWith("tributary_partition_high_watermark{")
        && l.contains("topic=\"mixed\"") && l.contains("partition=\"1\"") && l.endsWith(" 3.0")),
        "high watermark: one replica, so all of the log is committed");
    assertTrue(metrics.raw().contains("tributary_produce_latency_seconds_bucket"), "latency histogram");
    assertTrue(metrics.raw().contains("tributary_fetch_requests_total{"), "fetch requests");
    assertTrue(metrics.raw().contains("jvm_memory_used_bytes"), "JVM memory");
    assertTrue(metrics.raw().contains("jvm_gc_collection_seconds"), "GC");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.equals("tributary_controller_active 1.0")),
        "the single broker is the active controller:\n" + metrics.raw());
    assertTrue(metrics.raw().lines().anyMatch(l -> l.startsWith("tributary_controller_epoch ") && !l.endsWith(" 0.0")),
        "a controller epoch");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.equals("tributary_fenced_brokers 0.0")), "no broker fenced");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.equals("tributary_offline_partitions 0.0")), "none offline");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.equals("tributary_under_replicated_partitions 0.0")),
        "one replica each, all in sync");
    assertTrue(metrics.raw().lines().anyMatch(l -> l.startsWith("tributary_leader_partitions ") && !l.endsWith(" 0.0")),
        "this broker leads its partitions:\n" + metrics.raw());
    assertProblem(send("GET", "/metrics", null, null, null), 401, "UNAUTHORIZED");

    assertProblem(call("GET", "/v1/topics/mixed/partitions/7/records", null), 404, "UNKNOWN_TOPIC_OR_PARTITION");
    assertProblem(call("GET", "/v1/topics/mixed/partitions/0/records?limit=0", null), 400, "INVALID_REQUEST");
    assertProblem(call("GET", "/v1/topics/mixed/partitions/0/records?limit=100000", null), 400, "INVALID_REQUEST");
    assertProblem(call("GET", "/v1/topics/mixed/partitions/0/records?offset=99", null), 400, "OFFSET_OUT_OF_RANGE");
    assertProblem(call("POST", "/v1/topics/mixed/records", "[{\"value\":\"%%%\",\"encoding\":\"base64\"}]"), 400, "INVALID_REQUEST");
    assertProblem(call("POST", "/v1/topics/mixed/records", "[{\"key\":\"no value\"}]"), 400, "INVALID_REQUEST");
    assertProblem(call("POST", "/v1/topics/mixed/records", "{\"value\":\"not an array\"}"), 400, "INVALID_REQUEST");
    assertProblem(call("POST", "/v1/topics/missing/records", "[{\"value\":\"x\"}]"), 404, "UNKNOWN_TOPIC_OR_PARTITION");
  }

  @Test
  void badRequestsGetTheirStatusAndAProblemAndChangeNothing() {
    call("POST", "/v1/topics", "{\"name\":\"keep\",\"partitions\":2}");
    List<String> before = topicNames();
    record Bad(String method, String path, String contentType, String body, int status, String code) {}
    List<Bad> table = List.of(
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "[1,2]", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":5,\"partitions\":1}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":\"1\"}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"partitions\":1}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\"}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":99999999999999999999}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":1,\"colour\":\"red\"}", 400, "INVALID_REQUEST"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\".\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"..\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"../etc\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"a/b\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"" + "x".repeat(250) + "\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"bücher\",\"partitions\":1}", 400, "INVALID_TOPIC"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":0}", 400, "INVALID_PARTITIONS"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":-1}", 400, "INVALID_PARTITIONS"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":10001}", 400, "INVALID_PARTITIONS"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":1,\"configs\":{\"nope\":1}}", 400, "INVALID_CONFIG"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"x\",\"partitions\":1,\"configs\":{\"retention.ms\":-7}}", 400, "INVALID_CONFIG"),
        new Bad("POST", "/v1/topics", "application/json", "{\"name\":\"keep\",\"partitions\":1}", 409, "TOPIC_ALREADY_EXISTS"),
        new Bad("POST", "/v1/topics", "text/plain", "{\"name\":\"x\",\"partitions\":1}", 415, "UNSUPPORTED_MEDIA_TYPE"),
        new Bad("PATCH", "/v1/topics/keep", "application/json", "{\"partitions\":1}", 400, "INVALID_PARTITIONS"),
        new Bad("GET", "/v1/topics/missing", null, null, 404, "UNKNOWN_TOPIC_OR_PARTITION"),
        new Bad("DELETE", "/v1/topics/missing", null, null, 404, "UNKNOWN_TOPIC_OR_PARTITION"),
        new Bad("GET", "/v1/topics/a%2Fb", null, null, 400, "INVALID_TOPIC"),
        new Bad("GET", "/v1/nothing-here", null, null, 404, "NOT_FOUND"),
        new Bad("PUT", "/v1/topics", "application/json", "{}", 405, "METHOD_NOT_ALLOWED"));
    for (Bad bad : table) {
      Reply r = send(bad.method(), bad.path(), bad.contentType(), bad.body(), TOKEN);
      String what = bad.method() + " " + bad.path() + " " + (bad.body() == null ? "" : bad.body().substring(0, Math.min(60, bad.body().length())));
      assertEquals(bad.status(), r.status(), what + " -> " + r.raw());
      assertProblem(r, bad.status(), bad.code());
      assertEquals(before, topicNames(), "nothing changed after " + what);
    }
    assertEquals(2, call("GET", "/v1/topics/keep", null).body().get("partitions").asInt());
  }

  /**
   * A body declared larger than the limit is refused from its headers alone. Sent over a raw socket that
   * never sends the body: a client still sending 10 MiB when the server answers and closes can lose the
   * answer to the reset, which says nothing about the server.
   */
  @Test
  void anOversizedBodyIsRefusedFromItsDeclaredLength() throws Exception {
    List<String> before = topicNames();
    try (Socket socket = new Socket("127.0.0.1", broker.broker().adminPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("POST /v1/topics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + TOKEN + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + (10 * 1024 * 1024) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String status = in.readLine();
      assertTrue(status != null && status.startsWith("HTTP/1.1 413"), "status line: " + status);
      StringBuilder rest = new StringBuilder();
      for (String line = in.readLine(); line != null && !rest.toString().contains("PAYLOAD_TOO_LARGE");
          line = in.readLine()) {
        rest.append(line).append('\n');
      }
      assertTrue(rest.toString().contains("application/problem+json"), rest.toString());
      assertTrue(rest.toString().contains("PAYLOAD_TOO_LARGE"), rest.toString());
    }
    assertEquals(before, topicNames());
  }
}
