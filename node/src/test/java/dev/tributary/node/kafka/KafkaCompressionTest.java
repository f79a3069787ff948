package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.Compression;
import dev.tributary.protocol.record.Header;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Compressed batches through both doors, each codec: Kafka's producer compresses and our consumer
 * reads; our producer compresses and Kafka's consumer reads. Either way the broker stores the batch
 * as it came, compressed, and refuses one whose compressed records do not match its header.
 */
class KafkaCompressionTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int COUNT = 40;

  @TempDir static Path dir;
  private static TestBroker broker;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir);
    client = broker.client();
  }

  @AfterAll
  static void stop() {
    client.close();
    broker.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String value(int i) {
    return "{\"order\":" + i + ",\"status\":\"created\",\"note\":\"the same words compress well\"}";
  }

  /** The codecs of the batches stored in partition 0, read raw through the typed client. */
  private static List<Compression> storedCodecs(String topic) {
    FetchResponse fetched = await(client.fetch(topic, 0, 0, 1 << 20, Duration.ZERO));
    assertEquals(ErrorCode.NONE, fetched.error(), fetched.errorMessage());
    return RecordBatch.split(fetched.records().asByteBuffer()).stream().map(RecordBatch::compression).toList();
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void kafkasCompressedBatchesAreStoredAsTheyCameAndReadByOurConsumer(Compression codec) throws Exception {
    String topic = "from-kafka-" + codec.kafkaName();
    await(client.createTopic(topic, 1, Map.of()));
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec.kafkaName());
    config.put(ProducerConfig.LINGER_MS_CONFIG, "200"); // several records per batch
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, 0, bytes("k" + i), bytes(value(i)));
        r.headers().add("n", bytes(Integer.toString(i)));
        sent.add(producer.send(r));
      }
      producer.flush();
      for (int i = 0; i < COUNT; i++) {
        assertEquals(i, sent.get(i).get().offset());
      }
    }
    List<Compression> stored = storedCodecs(topic);
    assertTrue(stored.size() < COUNT, "records were batched: " + stored.size() + " batches");
    assertTrue(stored.stream().allMatch(c -> c == codec), "stored as they came: " + stored);

    List<dev.tributary.client.ConsumerRecord> read = new ArrayList<>();
    try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      List<dev.tributary.client.TopicPartition> p0 = List.of(new dev.tributary.client.TopicPartition(topic, 0));
      consumer.assign(p0);
      consumer.seekToBeginning(p0);
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (read.size() < COUNT && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      }
    }
    assertEquals(COUNT, read.size(), "every record through our consumer");
    for (int i = 0; i < COUNT; i++) {
      dev.tributary.client.ConsumerRecord r = read.get(i);
      assertEquals(i, r.offset());
      assertArrayEquals(bytes("k" + i), r.key());
      assertEquals(value(i), new String(r.value(), StandardCharsets.UTF_8));
      assertEquals(List.of(new Header("n", bytes(Integer.toString(i)))), r.headers());
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void ourCompressedBatchesAreReadByKafkasConsumer(Compression codec) throws Exception {
    String topic = "from-us-" + codec.kafkaName();
    await(client.createTopic(topic, 1, Map.of()));
    try (Producer producer = new Producer(client, ProducerSettings.defaults().withCompression(codec)
        .withLinger(Duration.ofMillis(200)))) {
      List<java.util.concurrent.CompletionStage<dev.tributary.client.RecordMetadata>> sent = new ArrayList<>();
      for (int i = 0; i < COUNT; i++) {
        sent.add(producer.send(topic, 0, bytes("k" + i), bytes(value(i)), List.of(), System.currentTimeMillis()));
      }
      for (int i = 0; i < COUNT; i++) {
        assertEquals(i, await(sent.get(i)).offset());
      }
    }
    List<Compression> stored = storedCodecs(topic);
    assertTrue(stored.stream().allMatch(c -> c == codec), "stored as sent: " + stored);

    List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = KafkaProduceFetchTest.kafkaConsumer(broker)) {
      TopicPartition p0 = new TopicPartition(topic, 0);
      consumer.assign(List.of(p0));
      consumer.seekToBeginning(List.of(p0));
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (read.size() < COUNT && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(read::add);
      }
    }
    assertEquals(COUNT, read.size(), "every record through Kafka's consumer");
    for (int i = 0; i < COUNT; i++) {
      assertEquals(i, read.get(i).offset());
      assertArrayEquals(bytes("k" + i), read.get(i).key());
      assertEquals(value(i), new String(read.get(i).value(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aCompressedBatchWhoseRecordsAreNotWhatItsHeaderSaysIsRefusedAndNothingIsStored() {
    await(client.createTopic("damaged", 1, Map.of()));
    dev.tributary.protocol.record.RecordBatchBuilder builder = new dev.tributary.protocol.record.RecordBatchBuilder();
    builder.add(null, bytes("one"), List.of(), 1L).add(null, bytes("two"), List.of(), 2L);
    ByteBuffer b = ByteBuffer.wrap(builder.build(-1, (short) -1, -1, Compression.GZIP).toByteArray());
    // Claim three records: the header and its CRC are in order, the gzip stream holds two.
    b.putInt(57, 3).putInt(23, 2);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.duplicate().position(21));
    b.putInt(17, (int) crc.getValue());
    ProduceResponse answer = await(client.produce("damaged", 0, RecordBatch.wrap(b), Acks.LEADER,
        Duration.ofSeconds(30)));
    assertEquals(ErrorCode.CORRUPT_RECORD, answer.error());
    assertTrue(answer.errorMessage().contains("records"), answer.errorMessage());
    assertEquals(0, RecordBatch.split(await(client.fetch("damaged", 0, 0, 1 << 20, Duration.ZERO))
        .records().asByteBuffer()).size(), "nothing stored");
  }
}
