package dev.tributary.node.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.node.BrokerSettings;
import dev.tributary.node.TestBroker;
import dev.tributary.node.tls.DevelopmentCa;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka listener with the broker's security on: with a token, Kafka's clients and kcat log in
 * with SASL/PLAIN and the token as the password, and a wrong password or no login is refused; with
 * TLS as well, the same clients speak SASL_SSL, checking the broker's certificate against its CA.
 */
class KafkaSecurityTest {

  private static final String TOKEN = "kafka-door-token";
  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  private static Properties client(TestBroker broker, String protocol, String password) {
    Properties config = new Properties();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    config.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
    config.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule required"
        + " username=\"ops\" password=\"" + password + "\";");
    config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "20000");
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return config;
  }

  /** Creates a topic with Admin, writes a record with KafkaProducer and reads it back with KafkaConsumer. */
  private static void roundTrip(Properties config, String topic) throws Exception {
    try (Admin admin = Admin.create(config)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
      assertTrue(admin.listTopics().names().get(60, TimeUnit.SECONDS).contains(topic));
    }
    Properties producerConfig = new Properties();
    producerConfig.putAll(config);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      assertEquals(0, producer.send(new ProducerRecord<>(topic, 0, bytes("k"), bytes("secured")))
          .get(60, TimeUnit.SECONDS).offset());
    }
    Properties consumerConfig = new Properties();
    consumerConfig.putAll(config);
    consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      TopicPartition p0 = new TopicPartition(topic, 0);
      consumer.assign(List.of(p0));
      consumer.seekToBeginning(List.of(p0));
      List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (read.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      }
      assertEquals(1, read.size(), "the record, read back");
      assertArrayEquals(bytes("secured"), read.get(0).value());
    }
  }

  @Test
  void withATokenKafkaClientsLogInWithSaslPlainAndTheTokenAsPassword() throws Exception {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir).withPort(0)
        .with("tributary.admin.token", TOKEN);
    try (TestBroker broker = TestBroker.start(settings)) {
      roundTrip(client(broker, "SASL_PLAINTEXT", TOKEN), "sasl-plain");

      try (Admin wrong = Admin.create(client(broker, "SASL_PLAINTEXT", "guess"))) {
        ExecutionException refused = assertThrows(ExecutionException.class,
            () -> wrong.listTopics().names().get(60, TimeUnit.SECONDS));
        assertInstanceOf(SaslAuthenticationException.class, refused.getCause());
        assertTrue(refused.getCause().getMessage().contains("the password must be the broker's token"),
            refused.getCause().getMessage());
      }
      assertTrue(closesBeforeAnswering(broker), "a request without a login closes the connection");
      assertTrue(closesOnItsSizeAlone(broker, 600 * 1024),
          "before a login, the size of a frame over 512 KiB is enough to close the connection");
      // After the login the listener's own limit holds again: a 600 KiB record is stored.
      Properties logged = client(broker, "SASL_PLAINTEXT", TOKEN);
      logged.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(logged, new ByteArraySerializer(),
          new ByteArraySerializer())) {
        assertEquals(1, producer.send(new ProducerRecord<>("sasl-plain", 0, null, new byte[600 * 1024]))
            .get(60, TimeUnit.SECONDS).offset(), "a 600 KiB record after the login");
      }

      Process kcat = new ProcessBuilder(Kcat.path(), "-b", broker.broker().kafkaAddress(), "-L", "-m", "20",
          "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN", "-X", "sasl.username=ops",
          "-X", "sasl.password=" + TOKEN).redirectErrorStream(true).start();
      try {
        assertTrue(kcat.waitFor(60, TimeUnit.SECONDS), "kcat -L finished");
        String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, kcat.exitValue(), out);
        assertTrue(out.contains("topic \"sasl-plain\" with 1 partitions:"), out);
      } finally {
        kcat.destroyForcibly();
      }
    }
  }

  @Test
  void withTlsAndATokenKafkaClientsSpeakSaslSsl() throws Exception {
    Path tls = dir.resolve("tls");
    DevelopmentCa.writeTo(tls, List.of(), Duration.ofDays(1)); // with 127.0.0.1 and localhost as names
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(dir.resolve("data")).withPort(0)
        .with("tributary.admin.token", TOKEN).with("tributary.tls.dir", tls.toString());
    try (TestBroker broker = TestBroker.start(settings)) {
      Properties config = client(broker, "SASL_SSL", TOKEN);
      config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
      config.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, tls.resolve("ca.crt").toString());
      roundTrip(config, "sasl-ssl");
      assertTrue(closesBeforeAnswering(broker), "a plaintext request is not answered on the TLS listener");
    }
  }

  /**
   * Sends a Metadata request with no login (and no TLS) on a raw connection: whether the broker
   * closes it without an answer.
   */
  private static boolean closesBeforeAnswering(TestBroker broker) throws Exception {
    String[] hostPort = broker.broker().kafkaAddress().split(":");
    try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      socket.setSoTimeout(30_000);
      MetadataRequest request = new MetadataRequest.Builder(new MetadataRequestData().setTopics(null)).build((short) 12);
      ByteBuffer frame = request.serializeWithHeader(new RequestHeader(request.apiKey(), request.version(), "raw", 1));
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(frame.remaining());
      byte[] bytes = new byte[frame.remaining()];
      frame.get(bytes);
      out.write(bytes);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      try {
        int size = in.readInt(); // a TLS alert, if anything; never a Kafka answer of that size
        return size <= 0 || size > 1 << 20;
      } catch (java.io.EOFException | java.net.SocketException closed) {
        return true;
      }
    }
  }

  /**
   * Writes only a frame size (no body) on a raw connection with no login: whether the broker
   * closes it. A broker that waited for the body would leave the read to time out.
   */
  private static boolean closesOnItsSizeAlone(TestBroker broker, int size) throws Exception {
    String[] hostPort = broker.broker().kafkaAddress().split(":");
    try (Socket socket = new Socket(hostPort[0], Integer.parseInt(hostPort[1]))) {
      socket.setSoTimeout(30_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(size);
      out.flush();
      try {
        return socket.getInputStream().read() == -1;
      } catch (java.net.SocketException reset) {
        return true;
      } catch (java.net.SocketTimeoutException stillOpen) {
        return false;
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
