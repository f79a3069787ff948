package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.ListOffsets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose data directory is a small tmpfs that fills up: the partition being written goes
 * offline with a storage error that says so, the broker keeps answering and serving what is
 * stored, and once space returns and the broker restarts, every acknowledged record is there once,
 * offsets are dense, and appends (also the producer's retries) continue after the last write.
 */
class DiskFullTest {

  private static final int RECORD_BYTES = 1_000;

  @TempDir Path dir;
  private Tmpfs disk;
  private Path data;

  @BeforeEach
  void mountASmallFileSystem() throws Exception {
    disk = Tmpfs.mount(dir.resolve("data"), "8m");
    data = disk.dir();
  }

  @AfterEach
  void unmount() throws Exception {
    if (disk != null) {
      disk.close();
    }
  }

  private static byte[] value(String name) {
    byte[] bytes = new byte[RECORD_BYTES];
    java.util.Arrays.fill(bytes, (byte) '.');
    byte[] label = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(label, 0, bytes, 0, label.length);
    return bytes;
  }

  private static String nameOf(byte[] value) {
    String s = new String(value, StandardCharsets.UTF_8);
    return s.substring(0, s.indexOf('.'));
  }

  /** The failure of a send, or null if it was acknowledged. */
  private static Throwable failureOf(CompletionStage<RecordMetadata> sent) {
    try {
      sent.toCompletableFuture().get(60, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      return cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
    } catch (Exception e) {
      throw new AssertionError("a send got no answer", e);
    }
  }

  /** Every record of a one-partition topic, read from offset 0 up to its high watermark. */
  private static List<ConsumerRecord> readAll(TributaryClient client, String topic) {
    long end = await(client.listOffsets(topic, 0, ListOffsets.LATEST)).offset();
    List<ConsumerRecord> records = new ArrayList<>();
    try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < end && System.nanoTime() < deadline) {
        records.addAll(consumer.poll(Duration.ofMillis(500)));
      }
    }
    assertEquals(end, records.size(), "every record of " + topic + " up to its high watermark");
    return records;
  }

  @Test
  void aFullDiskTakesThePartitionOfflineWithAStorageErrorAndARestartWithSpaceContinuesAfterTheLastWrite()
      throws Exception {
    BrokerSettings settings = BrokerSettings.defaults().withDataDir(data).withPort(TestBroker.freePort());
    // Fails for good soon after the disk is full, so the test sees the error the producer reports.
    ProducerSettings impatient = new ProducerSettings(Acks.ALL, 16 * 1024, Duration.ofMillis(5), 5, Integer.MAX_VALUE,
        Duration.ofMillis(50), Duration.ofSeconds(10), true, Duration.ofSeconds(3),
        ProducerSettings.DEFAULT_MAX_BATCH_SIZE, dev.tributary.protocol.record.Compression.NONE);
    Map<String, Long> acknowledged = new HashMap<>();
    List<CompletionStage<RecordMetadata>> retried = new ArrayList<>();
    TestBroker broker = TestBroker.start(settings);
    try (TributaryClient client = broker.client();
         Producer patient = new Producer(client, ProducerSettings.defaults())) {
      await(client.createTopic("other", 1, Map.of()));
      await(client.createTopic("filling", 1, Map.of()));
      try (Producer producer = new Producer(client, impatient)) {
        for (int i = 0; i < 50; i++) {
          await(producer.send("other", null, value("other-" + i)));
        }

        // Produce until a write fails. 8 MiB hold fewer than 8,000 records of 1 KB.
        TributaryException storageError = null;
        int next = 0;
        while (storageError == null) {
          if (next >= 20_000) {
            fail("20,000 records of 1 KB fitted on an 8 MiB file system");
          }
          List<CompletionStage<RecordMetadata>> chunk = new ArrayList<>();
          for (int i = 0; i < 500; i++, next++) {
            chunk.add(producer.send("filling", null, value("r" + next)));
          }
          for (int i = 0; i < chunk.size(); i++) {
            Throwable failure = failureOf(chunk.get(i));
            String name = "r" + (next - chunk.size() + i);
            if (failure == null) {
              acknowledged.put(name, await(chunk.get(i)).offset());
            } else if (storageError == null) {
              assertTrue(failure instanceof TributaryException, String.valueOf(failure));
              storageError = (TributaryException) failure;
            }
          }
        }
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, storageError.code(), storageError.getMessage());
        assertTrue(storageError.getMessage().contains("No space left on device"), storageError.getMessage());
        assertTrue(storageError.getMessage().contains("filling-0 is offline"), storageError.getMessage());

        // The partition stays offline: a new produce is refused the same way, never with a sequence error.
        Throwable again = failureOf(producer.send("filling", null, value("refused")));
        assertNotNull(again, "an offline partition acknowledged a record");
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, ((TributaryException) again).code(), again.getMessage());
      }

      // The broker still answers: metadata, offsets, and reads of everything stored.
      assertTrue(await(client.metadata()).topics().containsKey("filling"));
      assertEquals(50, await(client.listOffsets("other", 0, ListOffsets.LATEST)).offset());
      assertEquals(50, readAll(client, "other").size());
      assertEquals(acknowledged.size(), await(client.listOffsets("filling", 0, ListOffsets.LATEST)).offset(),
          "the high watermark is the acknowledged records, nothing of the failed write");
      List<ConsumerRecord> stored = readAll(client, "filling");
      for (ConsumerRecord r : stored) {
        assertEquals(acknowledged.get(nameOf(r.value())), r.offset());
      }

      // These are retried until the broker is back with space, then appended once each.
      for (int i = 0; i < 20; i++) {
        retried.add(patient.send("filling", null, value("late" + i)));
      }
      broker.close();
      disk.resize("64m");
      broker = TestBroker.start(settings);

      await(patient.flush());
      for (int i = 0; i < retried.size(); i++) {
        acknowledged.put("late" + i, await(retried.get(i)).offset());
      }
      try (TributaryClient reader = broker.client()) {
        List<ConsumerRecord> after = readAll(reader, "filling");
        assertEquals(acknowledged.size(), after.size(), "every acknowledged record, and nothing else");
        Map<String, Long> seen = new HashMap<>();
        for (int i = 0; i < after.size(); i++) {
          ConsumerRecord r = after.get(i);
          assertEquals(i, r.offset(), "offsets are dense");
          String name = nameOf(r.value());
          assertFalse(seen.containsKey(name), name + " is stored twice");
          seen.put(name, r.offset());
        }
        assertEquals(acknowledged, seen, "every acknowledged record at the offset it was acknowledged with");
        assertEquals(50, readAll(reader, "other").size());
        RecordMetadata appended = await(patient.send("filling", null, value("new")));
        assertEquals(after.size(), appended.offset(), "new appends continue after the last write");
      }
    } finally {
      broker.close();
    }
  }
}
