package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets its error code and a message that says what to do, and changes nothing stored. */
class BadInputTest {

  @TempDir static Path dir;
  private static TestBroker broker;
  private static TributaryClient client;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir);
    client = broker.client();
    await(client.createTopic("existing", 2, Map.of("max.message.bytes", "2000")));
    await(client.produce("existing", 0, batch(10), Acks.ALL, Duration.ofSeconds(10)));
  }

  @AfterEach
  void nothingStoredChanged() {
    assertEquals(Set.of("existing"), await(client.metadata()).topics().keySet());
    assertEquals(1, await(client.listOffsets("existing", 0, ListOffsets.LATEST)).offset());
    assertEquals(0, await(client.listOffsets("existing", 1, ListOffsets.LATEST)).offset());
  }

  @AfterAll
  static void stop() {
    client.close();
    broker.close();
  }

  private static RecordBatch batch(int valueBytes) {
    return new RecordBatchBuilder().add(null, new byte[valueBytes], List.of(), System.currentTimeMillis()).build();
  }

  private static TributaryException createFails(String name, int partitions, Map<String, String> configs) {
    return assertThrows(TributaryException.class, () -> await(client.createTopic(name, partitions, configs)),
        "creating '" + name + "'");
  }

  @Test
  void invalidTopicNamesAreRefusedWithTheRule() {
    for (String name : List.of("", ".", "..", "a/b", "x".repeat(250), "bücher", "with space", "__internal")) {
      TributaryException e = createFails(name, 1, Map.of());
      assertEquals(ErrorCode.INVALID_TOPIC, e.code(), name);
      assertTrue(e.getMessage().length() > "INVALID_TOPIC: ".length() + 10, e.getMessage());
    }
  }

  @Test
  void zeroNegativeOrTooManyPartitionsAreRefused() {
    for (int partitions : new int[] {0, -1, 10_001}) {
      TributaryException e = createFails("fine-name", partitions, Map.of());
      assertEquals(ErrorCode.INVALID_PARTITIONS, e.code());
      assertTrue(e.getMessage().contains("between 1 and 10000"), e.getMessage());
    }
  }

  @Test
  void unknownOrOutOfRangeConfigsAreRefused() {
    assertEquals(ErrorCode.INVALID_CONFIG, createFails("t1", 1, Map.of("no.such.key", "1")).code());
    assertEquals(ErrorCode.INVALID_CONFIG, createFails("t2", 1, Map.of("retention.ms", "-5")).code());
    assertEquals(ErrorCode.INVALID_CONFIG, createFails("t3", 1, Map.of("retention.bytes", "lots")).code());
    assertEquals(ErrorCode.INVALID_CONFIG, createFails("t4", 1, Map.of("max.message.bytes", "999999999")).code());
  }

  @Test
  void anExistingTopicCannotBeCreatedAgain() {
    assertEquals(ErrorCode.TOPIC_ALREADY_EXISTS, createFails("existing", 2, Map.of()).code());
  }

  @Test
  void producingToAnUnknownTopicOrPartitionIsRefused() {
    ProduceResponse unknownTopic = await(client.produce("missing", 0, batch(1), Acks.ALL, Duration.ofSeconds(5)));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic.error());
    assertTrue(unknownTopic.errorMessage().contains("create the topic"), unknownTopic.errorMessage());
    ProduceResponse unknownPartition = await(client.produce("existing", 2, batch(1), Acks.ALL, Duration.ofSeconds(5)));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownPartition.error());
  }

  @Test
  void aBatchOverMaxMessageBytesIsRefused() {
    ProduceResponse r = await(client.produce("existing", 1, batch(5_000), Acks.ALL, Duration.ofSeconds(5)));
    assertEquals(ErrorCode.RECORD_TOO_LARGE, r.error());
    assertTrue(r.errorMessage().contains("max.message.bytes=2000"), r.errorMessage());
  }

  @Test
  void aBatchWithAWrongCrcIsRefused() {
    byte[] bytes = batch(10).toByteArray();
    bytes[bytes.length - 3] ^= 0x40;
    RecordBatch damaged = RecordBatch.wrap(ByteBuffer.wrap(bytes));
    ProduceResponse r = await(client.produce("existing", 1, damaged, Acks.ALL, Duration.ofSeconds(5)));
    assertEquals(ErrorCode.CORRUPT_RECORD, r.error());
    assertTrue(r.errorMessage().contains("CRC"), r.errorMessage());
  }

  @Test
  void fetchingWithANegativeOffsetOrAnAbsurdSizeIsRefused() {
    assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, await(client.fetch("existing", 0, -5, 1024, Duration.ZERO)).error());
    assertEquals(ErrorCode.INVALID_REQUEST, await(client.fetch("existing", 0, 0, 0, Duration.ZERO)).error());
    assertEquals(ErrorCode.INVALID_REQUEST, await(client.fetch("existing", 0, 0, 64 << 20, Duration.ZERO)).error());
  }

  @Test
  void deletingAnUnknownTopicIsRefused() {
    TributaryException e = assertThrows(TributaryException.class, () -> await(client.deleteTopic("missing")));
    assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, e.code());
  }
}
