package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TributaryClient;
import dev.tributary.journal.segment.LogFiles;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A partition's log records its topic's id, and a log of another topic id is never served. */
class TopicIdOnDiskTest {

  @TempDir Path dir;

  private Path logDir(String partitionId) {
    return dir.resolve("journal").resolve(LogFiles.directoryName(partitionId));
  }

  private static ProduceResponse produce(TributaryClient client, String topic, String value) {
    RecordBatch batch = new RecordBatchBuilder()
        .add(null, value.getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis()).build();
    return await(client.produce(topic, 0, batch, Acks.ALL, Duration.ofSeconds(10)));
  }

  private static String topicId(TributaryClient client, String topic) {
    return await(client.metadata()).topics().get(topic).topicId();
  }

  @Test
  void eachPartitionLogRecordsTheIdOfItsTopic() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("ids", 2, Map.of()));
      assertEquals(ErrorCode.NONE, produce(client, "ids", "a").error());
      String id = topicId(client, "ids");
      assertTrue(Files.readString(logDir("ids-0").resolve(LogFiles.LOG_PROPERTIES)).contains("topic.id=" + id));
    }
  }

  /**
   * The data of an earlier topic of the same name (its delete never reached this broker) is set
   * aside at start: the partition serves an empty log under the new id and keeps the old files.
   */
  @Test
  void aLogOfAnotherTopicIdIsQuarantinedAndNeverServed() throws Exception {
    String id;
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("orders", 1, Map.of()));
      for (int i = 0; i < 5; i++) {
        assertEquals(ErrorCode.NONE, produce(client, "orders", "current-" + i).error());
      }
      id = topicId(client, "orders");
    }
    // What a stale log looks like: the same partition id, data of another topic id.
    Path properties = logDir("orders-0").resolve(LogFiles.LOG_PROPERTIES);
    Files.writeString(properties, Files.readString(properties).replace("topic.id=" + id, "topic.id=an-earlier-topic"));

    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      assertEquals(id, topicId(client, "orders"), "the controller's topic is unchanged");
      FetchResponse fetched = await(client.fetch("orders", 0, 0, 1 << 20, Duration.ZERO));
      assertEquals(ErrorCode.NONE, fetched.error());
      assertEquals(0, fetched.records().size(), "none of the stale log's records is served");
      assertEquals(0, await(client.listOffsets("orders", 0, ListOffsets.LATEST)).offset());
      ProduceResponse next = produce(client, "orders", "new");
      assertEquals(ErrorCode.NONE, next.error());
      assertEquals(0, next.baseOffset(), "the partition starts empty under its topic id");
      assertTrue(Files.readString(properties).contains("topic.id=" + id));

      Path quarantine = dir.resolve("journal").resolve(LogFiles.QUARANTINE_DIRECTORY);
      try (Stream<Path> set = Files.list(quarantine)) {
        List<Path> aside = set.toList();
        assertEquals(1, aside.size(), aside.toString());
        assertTrue(aside.get(0).getFileName().toString().startsWith("orders-0."), aside.toString());
        assertTrue(Files.readString(aside.get(0).resolve(LogFiles.LOG_PROPERTIES)).contains("an-earlier-topic"));
        assertTrue(Files.size(aside.get(0).resolve(LogFiles.segmentFileName(1))) > 0, "the old data is kept, whole");
      }
    }
  }
}
