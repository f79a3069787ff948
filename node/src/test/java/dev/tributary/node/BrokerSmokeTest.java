package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSmokeTest {

  @TempDir Path dir;

  @Test
  void aBatchProducedThroughTheGatewayIsFetchedBack() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("smoke", 2, Map.of()));
      RecordBatch batch = new RecordBatchBuilder()
          .add(null, "hello".getBytes(StandardCharsets.UTF_8), List.of(), 1_000)
          .add(null, "world".getBytes(StandardCharsets.UTF_8), List.of(), 1_001)
          .build();
      ProduceResponse first = await(client.produce("smoke", 1, batch, Acks.ALL, Duration.ofSeconds(10)));
      assertEquals(ErrorCode.NONE, first.error(), first.errorMessage());
      assertEquals(0, first.baseOffset());
      ProduceResponse second = await(client.produce("smoke", 1, batch, Acks.ALL, Duration.ofSeconds(10)));
      assertEquals(2, second.baseOffset());
      FetchResponse fetched = await(client.fetch("smoke", 1, 0, 1 << 20, Duration.ZERO));
      assertEquals(ErrorCode.NONE, fetched.error(), fetched.errorMessage());
      assertEquals(4, fetched.highWatermark());
      List<Record> records = RecordBatch.split(fetched.records().asByteBuffer()).stream()
          .flatMap(b -> b.records().stream()).toList();
      assertEquals(List.of(0L, 1L, 2L, 3L), records.stream().map(Record::offset).toList());
      assertEquals("world", new String(records.get(3).value(), StandardCharsets.UTF_8));
    }
  }

  /** A data directory belongs to the broker id that wrote it; another id is refused with what to do. */
  @Test
  void aBrokerWithAnotherIdIsRefusedOnSomeoneElsesData(@org.junit.jupiter.api.io.TempDir java.nio.file.Path data) {
    TestBroker.start(BrokerSettings.defaults().withDataDir(data).withPort(0)).close();
    BrokerSettings otherId = new BrokerSettings(data, 7, "127.0.0.1", 0, java.util.List.of(), java.util.Map.of());
    IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> Broker.start(otherId));
    org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("belongs to broker 0")
        && refused.getMessage().contains("--node-id 0"), refused.getMessage());
    TestBroker.start(BrokerSettings.defaults().withDataDir(data).withPort(0)).close(); // the owner still starts
  }
}
