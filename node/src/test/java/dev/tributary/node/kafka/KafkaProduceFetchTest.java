package dev.tributary.node.kafka;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Partitioner;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.record.Header;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records produced through either front door, Kafka's protocol or the typed client, are read
 * through the other unchanged: the same partitions for the same keys, the same offsets, keys,
 * values, headers and timestamps. Kafka 4.4's own producer (idempotent, acks=all) and consumer
 * (assigned partitions, no group) against a real broker.
 */
class KafkaProduceFetchTest {

  private static final Duration LIMIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void anIdempotentKafkaProducersKeyedRecordsLandWhereOursWouldAndReadBackUnchanged() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("orders", 6, Map.of()));
      List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
      Map<String, RecordMetadata> where = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer = kafkaProducer(broker, "all")) {
        for (int i = 0; i < 60; i++) {
          ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("orders", null, 1_700_000_000_000L + i,
              bytes("key-" + (i % 12)), bytes("order " + i),
              List.of(new RecordHeader("source", bytes("kafka")), new RecordHeader("n", bytes(Integer.toString(i)))));
          sent.add(record);
          where.put("order " + i, producer.send(record).get(LIMIT.toSeconds(), TimeUnit.SECONDS));
        }
      }
      for (int i = 0; i < 60; i++) {
        RecordMetadata m = where.get("order " + i);
        assertEquals(Partitioner.partitionForKey(bytes("key-" + (i % 12)), 6), m.partition(),
            "record " + i + ": the partition our partitioner picks for its key");
      }
      // Read back through the typed client: every record, in order per partition, unchanged.
      Map<Integer, List<dev.tributary.client.ConsumerRecord>> ours = readOurs(client, "orders", 6, 60);
      for (int i = 0; i < 60; i++) {
        RecordMetadata m = where.get("order " + i);
        dev.tributary.client.ConsumerRecord r = ours.get(m.partition()).stream()
            .filter(c -> c.offset() == m.offset()).findFirst().orElseThrow();
        assertArrayEquals(sent.get(i).key(), r.key(), "key of record " + i);
        assertArrayEquals(sent.get(i).value(), r.value(), "value of record " + i);
        assertEquals(1_700_000_000_000L + i, r.timestamp(), "timestamp of record " + i);
        assertEquals(List.of("source=kafka", "n=" + i), r.headers().stream()
            .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)).toList());
      }
    }
  }

  @Test
  void recordsOfTheTypedProducerReadBackUnchangedByAKafkaConsumer() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("events", 3, Map.of()));
      List<dev.tributary.client.RecordMetadata> written = new ArrayList<>();
      try (Producer producer = new Producer(client, ProducerSettings.defaults().withAcks(Acks.ALL))) {
        for (int i = 0; i < 30; i++) {
          written.add(await(producer.send("events", i % 3, bytes("k" + i), bytes("event " + i),
              List.of(new Header("h", bytes("v" + i))), 1_800_000_000_000L + i * 1000L)));
        }
      }
      try (KafkaConsumer<byte[], byte[]> consumer = kafkaConsumer(broker)) {
        List<TopicPartition> partitions = List.of(new TopicPartition("events", 0), new TopicPartition("events", 1),
            new TopicPartition("events", 2));
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<String, ConsumerRecord<byte[], byte[]>> read = new HashMap<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (read.size() < 30 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(500)).forEach(r -> read.put(new String(r.value(), StandardCharsets.UTF_8), r));
        }
        assertEquals(30, read.size(), "every record: " + read.keySet());
        for (int i = 0; i < 30; i++) {
          ConsumerRecord<byte[], byte[]> r = read.get("event " + i);
          assertEquals(i % 3, r.partition());
          assertEquals(written.get(i).offset(), r.offset(), "offset of event " + i);
          assertArrayEquals(bytes("k" + i), r.key());
          assertEquals(1_800_000_000_000L + i * 1000L, r.timestamp());
          assertArrayEquals(bytes("v" + i), r.headers().lastHeader("h").value());
        }

        // ListOffsets: earliest, latest and by timestamp, as the typed client sees them.
        TopicPartition p0 = partitions.get(0);
        assertEquals(0L, consumer.beginningOffsets(List.of(p0)).get(p0));
        assertEquals(10L, consumer.endOffsets(List.of(p0)).get(p0));
        // Partition 0 has events 0, 3, 6, ...: event 6 (offset 2) is the first at or after event 5's time.
        OffsetAndTimestamp at = consumer.offsetsForTimes(Map.of(p0, 1_800_000_005_000L)).get(p0);
        assertNotNull(at, "an offset for a timestamp inside the log");
        assertEquals(2L, at.offset());
        assertEquals(1_800_000_006_000L, at.timestamp(), "the found record's own timestamp");
        assertEquals(null, consumer.offsetsForTimes(Map.of(p0, 1_900_000_000_000L)).get(p0), "none that new");
      }
    }
  }

  @Test
  void aKafkaConsumersLongPollReturnsARecordProducedWhileItWaits() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("late", 1, Map.of()));
      try (KafkaConsumer<byte[], byte[]> consumer = kafkaConsumer(broker);
          KafkaProducer<byte[], byte[]> producer = kafkaProducer(broker, "1")) {
        TopicPartition p = new TopicPartition("late", 0);
        consumer.assign(List.of(p));
        consumer.seekToEnd(List.of(p));
        assertEquals(0L, consumer.position(p));
        assertTrue(consumer.poll(Duration.ofMillis(300)).isEmpty(), "nothing yet");
        producer.send(new ProducerRecord<>("late", bytes("k"), bytes("arrived"))).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (got.isEmpty() && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofSeconds(2)).forEach(got::add);
        }
        assertEquals(1, got.size());
        assertEquals("arrived", new String(got.get(0).value(), StandardCharsets.UTF_8));
        // A closing consumer sends a fetch with no partitions, and waits for its answer.
        consumer.close(Duration.ofSeconds(20));
      }
    }
  }

  @Test
  void acksZeroAndOneAreStoredToo() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("fire", 1, Map.of()));
      try (KafkaProducer<byte[], byte[]> none = kafkaProducer(broker, "0");
          KafkaProducer<byte[], byte[]> leader = kafkaProducer(broker, "1")) {
        for (int i = 0; i < 5; i++) {
          none.send(new ProducerRecord<>("fire", 0, null, bytes("zero " + i)));
        }
        none.flush();
        RecordMetadata one = leader.send(new ProducerRecord<>("fire", 0, null, bytes("one"))).get(LIMIT.toSeconds(),
            TimeUnit.SECONDS);
        assertTrue(one.offset() >= 0, "acks=1 answers with the offset: " + one.offset());
      }
      List<String> values = readOurs(client, "fire", 1, 6).get(0).stream()
          .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
      assertTrue(values.containsAll(List.of("zero 0", "zero 1", "zero 2", "zero 3", "zero 4", "one")), values.toString());
    }
  }

  @Test
  void kcatProducesAndConsumesWithKeysAndHeaders() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("shell", 2, Map.of()));
      String kafka = broker.broker().kafkaAddress();
      Process produce = new ProcessBuilder(Kcat.path(), "-b", kafka, "-P", "-t", "shell", "-K", ":", "-H", "via=kcat")
          .redirectErrorStream(true).start();
      produce.getOutputStream().write("alice:first\nbob:second\nalice:third\n".getBytes(StandardCharsets.UTF_8));
      produce.getOutputStream().close();
      assertTrue(produce.waitFor(60, TimeUnit.SECONDS), "kcat -P finished");
      assertEquals(0, produce.exitValue(), new String(produce.getInputStream().readAllBytes(), StandardCharsets.UTF_8));

      // The typed client sees kcat's records where the key puts them, with the header.
      Map<Integer, List<dev.tributary.client.ConsumerRecord>> ours = readOurs(client, "shell", 2, 3);
      List<dev.tributary.client.ConsumerRecord> alice = ours.get(Partitioner.partitionForKey(bytes("alice"), 2)).stream()
          .filter(r -> new String(r.key(), StandardCharsets.UTF_8).equals("alice")).toList();
      assertEquals(List.of("first", "third"), alice.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
          .toList(), "alice's records in order on her key's partition");
      assertEquals("via=kcat", alice.get(0).headers().stream()
          .map(h -> h.key() + "=" + new String(h.value(), StandardCharsets.UTF_8)).findFirst().orElse("none"));

      // And kcat reads them back from the beginning.
      Process consume = new ProcessBuilder(Kcat.path(), "-b", kafka, "-C", "-t", "shell", "-o", "beginning", "-e",
          "-f", "%k=%s;%h\n").redirectErrorStream(true).start();
      assertTrue(consume.waitFor(60, TimeUnit.SECONDS), "kcat -C -e finished");
      String out = new String(consume.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, consume.exitValue(), out);
      for (String line : List.of("alice=first;via=kcat", "bob=second;via=kcat", "alice=third;via=kcat")) {
        assertTrue(out.contains(line), "kcat read " + line + ": " + out);
      }
    }
  }

  /** Every record of the topic through the typed client's consumer, by partition. */
  private static Map<Integer, List<dev.tributary.client.ConsumerRecord>> readOurs(TributaryClient client, String topic,
      int partitions, int expected) {
    Map<Integer, List<dev.tributary.client.ConsumerRecord>> out = new HashMap<>();
    try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      List<dev.tributary.client.TopicPartition> all = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        all.add(new dev.tributary.client.TopicPartition(topic, p));
      }
      consumer.assign(all);
      consumer.seekToBeginning(all);
      int read = 0;
      long deadline = System.nanoTime() + LIMIT.toNanos();
      while (read < expected && System.nanoTime() < deadline) {
        for (dev.tributary.client.ConsumerRecord r : consumer.poll(Duration.ofMillis(500))) {
          out.computeIfAbsent(r.partition(), p -> new ArrayList<>()).add(r);
          read++;
        }
      }
      assertEquals(expected, read, "records read through the typed client");
    }
    return out;
  }

  static KafkaProducer<byte[], byte[]> kafkaProducer(TestBroker broker, String acks) {
    Properties config = new Properties();
    config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(ProducerConfig.ACKS_CONFIG, acks);
    config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, Boolean.toString("all".equals(acks)));
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
    return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> kafkaConsumer(TestBroker broker) {
    Properties config = new Properties();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.broker().kafkaAddress());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    config.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
