package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tributary.client.TributaryClient;
import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.message.ListOffsets;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.DescribeAclsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.DescribeAclsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.kafka.common.requests.SaslAuthenticateRequest;
import org.apache.kafka.common.requests.SaslHandshakeRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed and oversized Kafka requests against a real broker, over real sockets: each gets
 * Kafka's error code or a closed connection, never a broker crash. Every row of the table goes on
 * a fresh connection; after each, a long-lived second connection is still served, and nothing was
 * stored; where the row's connection stays open, it is served too. At the end a fresh Kafka Admin
 * still lists the topics.
 *
 * <p>The broker's {@code max-request-bytes} is 1 MiB here, so frames at and over the limit are cheap.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaBadRequestsTest {

  private static final int MAX_REQUEST_BYTES = 1024 * 1024;
  /** Two partitions; partition 0 holds the one batch of the setup, nothing else is ever stored. */
  private static final String TOPIC = "bad-requests";
  /** max.message.bytes=1024; never stored to. */
  private static final String SMALL = "small-messages";
  private static final String UNKNOWN = "no-such-topic";
  private static final int SOCKET_TIMEOUT_MS = 30_000;
  private static final AtomicInteger CORRELATION = new AtomicInteger(1000);

  @TempDir static Path dir;
  private static TestBroker broker;
  private static TributaryClient client;
  private static InetSocketAddress kafka;
  /** Opened at the start and used after every row: the broker serves other connections. */
  private static Connection watcher;
  /** Every partition's latest offset after the setup: no row may change it. */
  private static Map<String, Long> stored;

  @BeforeAll
  static void start() throws Exception {
    broker = TestBroker.start(BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.kafka.max-request-bytes", "1 MiB"));
    client = broker.client();
    await(client.createTopic(TOPIC, 2, Map.of()));
    await(client.createTopic(SMALL, 1, Map.of("max.message.bytes", "1024")));
    String[] hostPort = broker.broker().kafkaAddress().split(":");
    kafka = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    watcher = new Connection();
    assertServing("setup");

    // The control: the batch the damaged rows start from is stored when sent as it is, so a row's
    // error is the damage's, not a mistake in how this test writes Produce.
    ProduceResponseData control = watcher.call("setup (a valid Produce)", produce(TOPIC, 0, batch(100)));
    PartitionProduceResponse p = control.responses().iterator().next().partitionResponses().get(0);
    assertEquals(Errors.NONE.code(), p.errorCode(), "setup: a valid Produce is stored: " + p.errorMessage());
    assertEquals(0L, p.baseOffset(), "setup: the first batch of the partition");
    stored = latestOffsets();
    assertEquals(1L, stored.get(TOPIC + "-0"), "setup: " + stored);
  }

  @AfterAll
  static void stop() throws Exception {
    if (watcher != null) {
      watcher.close();
    }
    if (client != null) {
      client.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  // ------------------------------------------------------------------------------------ the table

  /** What a row expects: the connection closed by the broker, or this answer on it. */
  private sealed interface Expect permits Closed, Answered {}

  private record Closed() implements Expect {}

  /** An answer to {@code apiKey} at {@code version}, checked by {@code check}; the connection stays open. */
  private record Answered(ApiKeys apiKey, short version, Check check, FollowUp after) implements Expect {}

  @FunctionalInterface
  private interface Check {
    void check(ApiMessage answer, String row);
  }

  /** What else the row's connection must serve after the answer (beyond the Metadata every open row asks). */
  @FunctionalInterface
  private interface FollowUp {
    void on(Connection c, String row, ApiMessage answer) throws IOException;
  }

  /**
   * A row: {@code wire} is every byte written to a fresh connection, the 4-byte size included (so
   * a row may lie about it).
   */
  private record Row(String name, byte[] wire, int correlationId, Expect expect) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static List<Row> table() {
    List<Row> rows = new ArrayList<>();

    // Frames the framing refuses: the size alone is enough.
    rows.add(closed("a frame over max-request-bytes, only its size sent",
        ByteBuffer.allocate(4).putInt(MAX_REQUEST_BYTES + 1).array()));
    byte[] overAndMore = Arrays.copyOf(ByteBuffer.allocate(4).putInt(MAX_REQUEST_BYTES + 1).array(), 4 + 64);
    System.arraycopy(serialized(produce(TOPIC, 0, batch(100)), next()), 0, overAndMore, 4, 64);
    rows.add(closed("a frame over max-request-bytes, its size and the start of a request sent", overAndMore));
    rows.add(closed("a frame of 2 GiB", ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array()));
    rows.add(closed("a negative frame size", ByteBuffer.allocate(4).putInt(-1).array()));

    // Frames that arrive whole but hold no readable request.
    rows.add(closed("an empty frame", frame(new byte[0])));
    rows.add(closed("a frame too short for a request header (2 bytes)", frame(new byte[] {0, 3})));
    rows.add(closed("an unknown API key (9999)", frame(patched(serialized(metadata(), next()), 0, (short) 9999))));
    rows.add(closed("Metadata at version 99", frame(patched(serialized(metadata(), next()), 2, (short) 99))));
    byte[] produce = serialized(produce(TOPIC, 0, batch(100)), next());
    rows.add(closed("a Produce whose body is cut off inside its records (valid header, frame size of the cut)",
        frame(Arrays.copyOf(produce, produce.length - 60))));

    // ApiVersions newer than the broker's: answered at v0 with the versions, as Kafka does (KIP-511).
    int apiVersionsId = next();
    rows.add(new Row("ApiVersions at version 99",
        frame(patched(serialized(new ApiVersionsRequest.Builder().build(ApiKeys.API_VERSIONS.latestVersion()),
            apiVersionsId), 2, (short) 99)),
        apiVersionsId, new Answered(ApiKeys.API_VERSIONS, (short) 0, (answer, row) -> {
          ApiVersionsResponseData v = (ApiVersionsResponseData) answer;
          assertEquals(Errors.UNSUPPORTED_VERSION.code(), v.errorCode(), row + ": the error code");
          ApiVersionsResponseData.ApiVersion own = v.apiKeys().find(ApiKeys.API_VERSIONS.id);
          assertNotNull(own, row + ": the answer names ApiVersions' own versions: " + v.apiKeys());
          assertEquals(0, own.minVersion(), row + ": ApiVersions' oldest version");
          assertTrue(own.maxVersion() >= 3 && own.maxVersion() < 99, row + ": ApiVersions' newest version: " + own);
        }, (c, row, answer) -> {
          // What a client does next: ask again at the newest version named, on the same connection.
          short max = ((ApiVersionsResponseData) answer).apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion();
          ApiVersionsResponseData again = c.call(row + " (asked again at v" + max + ")",
              new ApiVersionsRequest.Builder().build(max));
          assertEquals(Errors.NONE.code(), again.errorCode(), row + ": asked again at v" + max);
          assertNotNull(again.apiKeys().find(ApiKeys.PRODUCE.id), row + ": asked again, Produce is listed");
        })));

    // Requests read fine whose content is wrong: Kafka's error code, the connection kept.
    rows.add(answered("Produce to an unknown topic", produce(UNKNOWN, 0, batch(100)),
        partitionError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 0)));
    rows.add(answered("Produce to a partition the topic does not have (99)", produce(TOPIC, 99, batch(100)),
        partitionError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 99)));
    rows.add(answered("Produce with a batch whose CRC does not match (a value byte flipped)",
        produce(TOPIC, 0, damaged(batch(100))), partitionError(Errors.CORRUPT_MESSAGE, 0)));
    rows.add(answered("Produce with a batch over the topic's max.message.bytes (1024)",
        produce(SMALL, 0, batch(2000)), partitionError(Errors.MESSAGE_TOO_LARGE, 0)));
    rows.add(answered("Produce with no records", produce(TOPIC, 0, MemoryRecords.EMPTY),
        partitionError(Errors.INVALID_RECORD, 0)));
    rows.add(answered("Produce with two batches for one partition", produce(TOPIC, 0, twoBatches()),
        partitionError(Errors.INVALID_RECORD, 0)));
    rows.add(answered("Produce with a message set of magic v1", produce(TOPIC, 0, MemoryRecords.withRecords(
        RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord(System.currentTimeMillis(), null, new byte[10]))),
        partitionError(Errors.INVALID_RECORD, 0)));
    ProduceRequestData badAcks = produceData(TOPIC, 0, batch(100)).setAcks((short) 5);
    rows.add(answered("Produce with acks=5", new ProduceRequest(badAcks, (short) 12),
        partitionError(Errors.INVALID_REQUIRED_ACKS, 0)));
    rows.add(answered("a frame of exactly max-request-bytes (a Produce to an unknown topic)", produceOfFrameSize(
        MAX_REQUEST_BYTES), partitionError(Errors.UNKNOWN_TOPIC_OR_PARTITION, 0)));
    rows.add(answered("Fetch v12 of an unknown topic name", fetch((short) 12, UNKNOWN, Uuid.ZERO_UUID),
        fetchError(Errors.UNKNOWN_TOPIC_OR_PARTITION)));
    rows.add(answered("Fetch v" + ApiKeys.FETCH.latestVersion() + " of an unknown topic id",
        fetch(ApiKeys.FETCH.latestVersion(), UNKNOWN, Uuid.randomUuid()), fetchError(Errors.UNKNOWN_TOPIC_ID)));
    // SASL on a listener without a token, as Kafka's PLAINTEXT listener answers it.
    rows.add(answered("SaslHandshake on a listener without SASL", new SaslHandshakeRequest.Builder(
        new SaslHandshakeRequestData().setMechanism("PLAIN")).build((short) 1), (answer, row) -> assertEquals(
            Errors.ILLEGAL_SASL_STATE.code(), ((SaslHandshakeResponseData) answer).errorCode(), row + ": the error code")));
    rows.add(answered("SaslAuthenticate on a listener without SASL", new SaslAuthenticateRequest.Builder(
        new SaslAuthenticateRequestData().setAuthBytes("\u0000a\u0000b".getBytes(StandardCharsets.UTF_8)))
        .build((short) 2), (answer, row) -> assertEquals(Errors.ILLEGAL_SASL_STATE.code(),
            ((SaslAuthenticateResponseData) answer).errorCode(), row + ": the error code")));
    rows.add(answered("an API not served (DescribeAcls v3)",
        new DescribeAclsRequest.Builder(AclBindingFilter.ANY).build((short) 3), (answer, row) -> assertEquals(
            Errors.UNSUPPORTED_VERSION.code(), ((DescribeAclsResponseData) answer).errorCode(), row + ": the error code")));
    return rows;
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> eachBadRequestGetsKafkasErrorOrAClosedConnectionAndTheBrokerServesOn() {
    return table().stream().map(row -> dynamicTest(row.name(), () -> run(row)));
  }

  @Test
  @Order(2)
  void produceV13ToAnUnknownTopicIdIsAnsweredUnknownTopicId() throws Exception {
    ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(SOCKET_TIMEOUT_MS);
    data.topicData().add(new TopicProduceData().setTopicId(Uuid.randomUuid()).setPartitionData(List.of(
        new PartitionProduceData().setIndex(0).setRecords(batch(100)))));
    run(answered("Produce v13 to an unknown topic id", new ProduceRequest(data, (short) 13),
        partitionError(Errors.UNKNOWN_TOPIC_ID, 0)));
  }

  @Test
  @Order(3)
  void anAcksZeroProduceOfADamagedBatchClosesTheConnection() throws Exception {
    ProduceRequestData data = produceData(TOPIC, 0, damaged(batch(100))).setAcks((short) 0);
    run(closed("Produce with acks=0 of a batch whose CRC does not match",
        frame(serialized(new ProduceRequest(data, (short) 12), next()))));
  }

  @Test
  @Order(4)
  void aFreshKafkaAdminStillListsTheTopics() throws Exception {
    Properties config = new Properties();
    config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    try (Admin admin = Admin.create(config)) {
      Set<String> names = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      assertTrue(names.containsAll(List.of(TOPIC, SMALL)), "after the bad requests, Admin lists: " + names);
    }
    assertServing("at the end");
  }

  /** Sends the row on a fresh connection, checks what came of it, then that the broker serves on. */
  private static void run(Row row) throws Exception {
    try (Connection c = new Connection()) {
      String written = c.write(row.wire());
      if (row.expect() instanceof Answered a) {
        assertEquals("written", written, row + ": the request could not be sent");
        ApiMessage answer = c.receive(row.name(), row.correlationId(), a.apiKey(), a.version());
        a.check().check(answer, row.name());
        if (a.after() != null) {
          a.after().on(c, row.name(), answer);
        }
        MetadataResponseData same = c.call(row + " (Metadata on the same connection)", metadata());
        assertTopicListed(same, row + " (Metadata on the same connection)");
      } else {
        String ended = written.equals("written") ? c.howItEnds() : written;
        assertTrue(ended.startsWith("closed"), row + ": the broker should close the connection, but it " + ended);
      }
    }
    assertServing(row.name());
    assertEquals(stored, latestOffsets(), row + ": nothing stored");
  }

  /** The long-lived connection is still answered, with the topic. */
  private static void assertServing(String row) throws IOException {
    MetadataResponseData answer = watcher.call(row + " (Metadata on the long-lived connection)", metadata());
    assertTopicListed(answer, row + " (Metadata on the long-lived connection)");
  }

  private static void assertTopicListed(MetadataResponseData answer, String row) {
    assertEquals(1, answer.brokers().size(), row + ": the broker is listed: " + answer.brokers());
    MetadataResponseData.MetadataResponseTopic topic = answer.topics().find(TOPIC);
    assertNotNull(topic, row + ": the topic is listed: " + answer.topics());
    assertEquals(Errors.NONE.code(), topic.errorCode(), row + ": the topic's error code");
    assertEquals(2, topic.partitions().size(), row + ": the topic's partitions");
  }

  private static Map<String, Long> latestOffsets() {
    Map<String, Long> offsets = new LinkedHashMap<>();
    for (int p = 0; p < 2; p++) {
      offsets.put(TOPIC + "-" + p, await(client.listOffsets(TOPIC, p, ListOffsets.LATEST)).offset());
    }
    offsets.put(SMALL + "-0", await(client.listOffsets(SMALL, 0, ListOffsets.LATEST)).offset());
    return offsets;
  }

  // ---------------------------------------------------------------------------- rows and checks

  private static int next() {
    return CORRELATION.incrementAndGet();
  }

  private static Row closed(String name, byte[] wire) {
    return new Row(name, wire, -1, new Closed());
  }

  private static Row answered(String name, AbstractRequest request, Check check) {
    int id = next();
    return new Row(name, frame(serialized(request, id)), id, new Answered(request.apiKey(), request.version(), check,
        null));
  }

  /** A Produce answer of one topic and partition with {@code expected}, and no offset. */
  private static Check partitionError(Errors expected, int partition) {
    return (answer, row) -> {
      ProduceResponseData produce = (ProduceResponseData) answer;
      assertEquals(1, produce.responses().size(), row + ": one topic answered: " + produce);
      List<PartitionProduceResponse> partitions = produce.responses().iterator().next().partitionResponses();
      assertEquals(1, partitions.size(), row + ": one partition answered: " + produce);
      PartitionProduceResponse p = partitions.get(0);
      assertEquals(partition, p.index(), row + ": the partition answered");
      assertEquals(expected.code(), p.errorCode(), row + ": " + expected + " expected, got "
          + Errors.forCode(p.errorCode()) + " (" + p.errorMessage() + ")");
      assertEquals(-1L, p.baseOffset(), row + ": no offset");
    };
  }

  /** A Fetch answer whose one partition has {@code expected}, and no records. */
  private static Check fetchError(Errors expected) {
    return (answer, row) -> {
      FetchResponseData fetch = (FetchResponseData) answer;
      assertEquals(Errors.NONE.code(), fetch.errorCode(), row + ": the request's own error code");
      assertEquals(1, fetch.responses().size(), row + ": one topic answered: " + fetch);
      List<FetchResponseData.PartitionData> partitions = fetch.responses().get(0).partitions();
      assertEquals(1, partitions.size(), row + ": one partition answered: " + fetch);
      FetchResponseData.PartitionData p = partitions.get(0);
      assertEquals(expected.code(), p.errorCode(), row + ": " + expected + " expected, got "
          + Errors.forCode(p.errorCode()));
      assertTrue(p.records() == null || p.records().sizeInBytes() == 0, row + ": no records");
    };
  }

  private static MetadataRequest metadata() {
    return new MetadataRequest.Builder(List.of(TOPIC), false).build(ApiKeys.METADATA.latestVersion());
  }

  /** One uncompressed record batch v2 of one record with a value of {@code valueBytes}. */
  private static MemoryRecords batch(int valueBytes) {
    byte[] value = new byte[valueBytes];
    Arrays.fill(value, (byte) 'v');
    return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(System.currentTimeMillis(), "key".getBytes(),
        value));
  }

  /** The batch with one byte of its value flipped: its CRC no longer matches. */
  private static MemoryRecords damaged(MemoryRecords records) {
    ByteBuffer b = records.buffer();
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    bytes[bytes.length - 10] ^= 0x5a; // inside the value, which ends one byte (no headers) before the batch
    return MemoryRecords.readableRecords(ByteBuffer.wrap(bytes));
  }

  private static MemoryRecords twoBatches() {
    ByteBuffer first = batch(10).buffer();
    ByteBuffer second = batch(10).buffer();
    ByteBuffer both = ByteBuffer.allocate(first.remaining() + second.remaining());
    both.put(first.duplicate()).put(second.duplicate()).flip();
    return MemoryRecords.readableRecords(both);
  }

  private static ProduceRequestData produceData(String topic, int partition, MemoryRecords records) {
    ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(SOCKET_TIMEOUT_MS);
    data.topicData().add(new TopicProduceData().setName(topic).setPartitionData(List.of(
        new PartitionProduceData().setIndex(partition).setRecords(records))));
    return data;
  }

  /** Produce v12, the newest that names topics (v13 names them by id), acks=all. */
  private static ProduceRequest produce(String topic, int partition, MemoryRecords records) {
    return new ProduceRequest(produceData(topic, partition, records), (short) 12);
  }

  /**
   * A Produce to an unknown topic whose frame (without its size) is exactly {@code frameBytes}: its
   * records are filler, never read, as the topic is unknown.
   */
  private static ProduceRequest produceOfFrameSize(int frameBytes) {
    int filler = frameBytes - 200;
    for (int attempt = 0; attempt < 3; attempt++) {
      ProduceRequest r = produce(UNKNOWN, 0, MemoryRecords.readableRecords(ByteBuffer.allocate(filler)));
      int size = serialized(r, 1).length;
      if (size == frameBytes) {
        return r;
      }
      filler += frameBytes - size;
    }
    throw new AssertionError("no Produce of exactly " + frameBytes + " bytes");
  }

  private static FetchRequest fetch(short version, String topic, Uuid topicId) {
    Map<TopicPartition, FetchRequest.PartitionData> partitions = new LinkedHashMap<>();
    partitions.put(new TopicPartition(topic, 0), new FetchRequest.PartitionData(topicId, 0L, -1L, 1024 * 1024,
        Optional.empty()));
    return FetchRequest.Builder.forConsumer(version, 500, 1, partitions).build(version);
  }

  /** The request and its header, as kafka-clients writes them (no size). */
  private static byte[] serialized(AbstractRequest request, int correlationId) {
    ByteBuffer b = request.serializeWithHeader(
        new RequestHeader(request.apiKey(), request.version(), "bad-requests-test", correlationId));
    byte[] bytes = new byte[b.remaining()];
    b.get(bytes);
    return bytes;
  }

  /** The bytes with the short at {@code at} replaced: 0 is the header's API key, 2 its version. */
  private static byte[] patched(byte[] request, int at, short value) {
    byte[] copy = request.clone();
    ByteBuffer.wrap(copy).putShort(at, value);
    return copy;
  }

  /** The bytes behind their true 4-byte size. */
  private static byte[] frame(byte[] body) {
    return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
  }

  // ---------------------------------------------------------------------------------- connection

  /** A blocking Kafka connection, as a client library holds one. */
  private static final class Connection implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;
    private final DataInputStream in;

    Connection() throws IOException {
      socket = new Socket();
      socket.connect(kafka, SOCKET_TIMEOUT_MS);
      socket.setSoTimeout(SOCKET_TIMEOUT_MS);
      socket.setTcpNoDelay(true);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    /** "written", or how the broker ended the connection while the bytes were written. */
    String write(byte[] wire) {
      try {
        out.write(wire);
        out.flush();
        return "written";
      } catch (IOException e) {
        return "closed while the request was written (" + e.getMessage() + ")";
      }
    }

    /** Reads one answer and checks its correlation id; its body read at {@code version}. */
    @SuppressWarnings("unchecked")
    <T extends ApiMessage> T receive(String row, int correlationId, ApiKeys apiKey, short version) {
      ByteBuffer frame;
      try {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        frame = ByteBuffer.wrap(bytes);
      } catch (SocketTimeoutException e) {
        throw new AssertionError(row + ": no " + apiKey.name + " answer within " + SOCKET_TIMEOUT_MS + " ms", e);
      } catch (IOException e) {
        throw new AssertionError(row + ": the connection ended instead of a " + apiKey.name + " answer: " + e, e);
      }
      ResponseHeader header = ResponseHeader.parse(frame, apiKey.responseHeaderVersion(version));
      assertEquals(correlationId, header.correlationId(), row + ": the answer's correlation id");
      return (T) AbstractResponse.parseResponse(apiKey, new ByteBufferAccessor(frame), version).data();
    }

    <T extends ApiMessage> T call(String row, AbstractRequest request) throws IOException {
      int id = next();
      String written = write(frame(serialized(request, id)));
      assertEquals("written", written, row + ": the request could not be sent");
      return receive(row, id, request.apiKey(), request.version());
    }

    /** "closed ..." when the broker closes the connection within the socket timeout, else what it did. */
    String howItEnds() {
      try {
        int b = in.read();
        return b == -1 ? "closed (end of stream)" : "answered (a frame starting with byte " + b + ") and kept it open";
      } catch (SocketTimeoutException e) {
        return "kept it open for " + SOCKET_TIMEOUT_MS + " ms without a word";
      } catch (SocketException e) {
        return "closed (" + e.getMessage() + ")"; // reset: closed with our bytes unread on its side
      } catch (IOException e) {
        return "failed: " + e;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
