package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tributary.client.TributaryClient;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.ListTransactionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Tcp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The listener over a real TCP socket, with requests written and answers read by kafka-clients'
 * own classes. Only what needs no cluster: ApiVersions, an API not served, pipelining, and bad
 * frames (the broker tests cover Metadata).
 */
class KafkaListenerTest {

  private static ActorSystem<Void> system;
  /** Never asked: every request tested here is answered before it would need the cluster. */
  private static final TopicRules NO_RULES = new TopicRules() {
    @Override
    public java.util.Map<String, String> defaults() {
      return java.util.Map.of();
    }

    @Override
    public int defaultReplicationFactor() {
      return 1;
    }

    @Override
    public java.util.Optional<String> configProblem(java.util.Map<String, String> configs) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<String> partitionsProblem(int partitions) {
      return java.util.Optional.empty();
    }
  };

  private static Tcp.ServerBinding binding;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "kafka-listener-test");
    KafkaSettings settings = KafkaSettings.fromRoot(ConfigFactory.parseString(
        "tributary.kafka { port = 0, interface = \"127.0.0.1\", max-request-bytes = 64 KiB }")
        .withFallback(ConfigFactory.load()));
    // No cluster behind it: nothing tested here needs one.
    binding = KafkaListener.start(system, settings, "127.0.0.1", new CompletableFuture<TributaryClient>(), NO_RULES,
        KafkaSecurity.NONE)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    port = binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void apiVersionsNamesEveryServedApiAtTheVersionsKafkaClientsSpeak() throws Exception {
    try (Connection c = new Connection()) {
      short version = ApiKeys.API_VERSIONS.latestVersion();
      ApiVersionsResponseData answer = (ApiVersionsResponseData) c.call(
          new ApiVersionsRequest.Builder().build(version), 7);
      assertEquals(Errors.NONE.code(), answer.errorCode());
      for (ApiKeys served : KafkaApis.SERVED) {
        ApiVersionsResponseData.ApiVersion v = answer.apiKeys().find(served.id);
        assertNotNull(v, served + " is listed");
        assertEquals(served.oldestVersion(), v.minVersion(), served + " min");
        assertEquals(served.latestVersion(false), v.maxVersion(), served + " max (stable versions)");
      }
      assertEquals(KafkaApis.SERVED.size(), answer.apiKeys().size(), "nothing more is listed: " + answer.apiKeys());
    }
  }

  @Test
  void anApiNotServedIsAnsweredUnsupportedVersionAndTheConnectionGoesOn() throws Exception {
    try (Connection c = new Connection()) {
      ListTransactionsResponseData transactions = (ListTransactionsResponseData) c.call(
          new ListTransactionsRequest.Builder(new ListTransactionsRequestData()).build(ApiKeys.LIST_TRANSACTIONS.latestVersion()), 11);
      assertEquals(Errors.UNSUPPORTED_VERSION.code(), transactions.errorCode());
      ApiVersionsResponseData again = (ApiVersionsResponseData) c.call(
          new ApiVersionsRequest.Builder().build(ApiKeys.API_VERSIONS.latestVersion()), 12);
      assertEquals(Errors.NONE.code(), again.errorCode());
    }
  }

  @Test
  void answersComeBackInTheOrderRequestsWereSent() throws Exception {
    try (Connection c = new Connection()) {
      short v = ApiKeys.API_VERSIONS.latestVersion();
      for (int id = 100; id < 140; id++) {
        AbstractRequest r = id % 2 == 0 ? new ApiVersionsRequest.Builder().build(v)
            : new ListTransactionsRequest.Builder(new ListTransactionsRequestData()).build(ApiKeys.LIST_TRANSACTIONS.latestVersion());
        c.send(r, id);
      }
      for (int id = 100; id < 140; id++) {
        ApiKeys key = id % 2 == 0 ? ApiKeys.API_VERSIONS : ApiKeys.LIST_TRANSACTIONS;
        short version = key == ApiKeys.API_VERSIONS ? v : ApiKeys.LIST_TRANSACTIONS.latestVersion();
        ByteBuffer frame = c.receive();
        assertEquals(id, ResponseHeader.parse(frame, key.responseHeaderVersion(version)).correlationId());
      }
    }
  }

  @Test
  void anUnreadableRequestClosesOnlyItsConnection() throws Exception {
    try (Connection bad = new Connection(); Connection good = new Connection()) {
      // API key 32000 exists in no Kafka version.
      bad.sendFrame(ByteBuffer.allocate(12).putShort((short) 32000).putShort((short) 0).putInt(1).putShort((short) -1)
          .putShort((short) 0).flip());
      assertTrue(bad.closedByBroker(), "the connection of an unreadable request is closed");
      ApiVersionsResponseData answer = (ApiVersionsResponseData) good.call(
          new ApiVersionsRequest.Builder().build(ApiKeys.API_VERSIONS.latestVersion()), 1);
      assertEquals(Errors.NONE.code(), answer.errorCode());
    }
  }

  @Test
  void aFrameOverTheLimitClosesOnlyItsConnection() throws Exception {
    try (Connection big = new Connection(); Connection good = new Connection()) {
      big.out.writeInt(64 * 1024 + 1); // announced, never sent: the size alone is refused
      big.out.flush();
      assertTrue(big.closedByBroker(), "the connection of an oversized frame is closed");
      ApiVersionsResponseData answer = (ApiVersionsResponseData) good.call(
          new ApiVersionsRequest.Builder().build(ApiKeys.API_VERSIONS.latestVersion()), 2);
      assertEquals(Errors.NONE.code(), answer.errorCode());
    }
  }

  /** A blocking Kafka connection, as a client library would hold one. */
  private static final class Connection implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;
    private final java.util.ArrayDeque<RequestHeader> sent = new java.util.ArrayDeque<>();

    Connection() throws IOException {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(30_000);
      out = new DataOutputStream(socket.getOutputStream());
      in = new DataInputStream(socket.getInputStream());
    }

    void send(AbstractRequest request, int correlationId) throws IOException {
      RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "listener-test", correlationId);
      sent.add(header);
      sendFrame(request.serializeWithHeader(header));
    }

    void sendFrame(ByteBuffer frame) throws IOException {
      out.writeInt(frame.remaining());
      byte[] bytes = new byte[frame.remaining()];
      frame.get(bytes);
      out.write(bytes);
      out.flush();
    }

    ByteBuffer receive() throws IOException {
      byte[] frame = new byte[in.readInt()];
      in.readFully(frame);
      return ByteBuffer.wrap(frame);
    }

    ApiMessage call(AbstractRequest request, int correlationId) throws IOException {
      send(request, correlationId);
      RequestHeader header = sent.removeLast();
      ByteBuffer frame = receive();
      assertEquals(correlationId,
          ResponseHeader.parse(frame, header.apiKey().responseHeaderVersion(header.apiVersion())).correlationId());
      return AbstractResponse.parseResponse(header.apiKey(), new ByteBufferAccessor(frame), header.apiVersion()).data();
    }

    /** Whether the broker closed the connection (end of stream) within the socket's timeout. */
    boolean closedByBroker() throws IOException {
      try {
        return in.read() == -1;
      } catch (SocketTimeoutException e) {
        return false;
      } catch (java.net.SocketException reset) {
        return true; // closed while our bytes were still unread on its side
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
