package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryStreams;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pekko Streams edges: a sink into a topic and a source of a partition from an offset. */
class StreamsTest {

  @TempDir Path dir;

  @Test
  void recordsWrittenThroughTheSinkComeBackThroughTheSourceInOrder() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("streamed", 1, Map.of()));
      try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
        await(Source.range(0, 999)
            .map(i -> TributaryStreams.ProducerMessage.of("streamed", null, ("m" + i).getBytes(StandardCharsets.UTF_8)))
            .runWith(TributaryStreams.sink(producer, 64), client.system()));
      }
      List<ConsumerRecord> read = await(TributaryStreams
          .partitionSource(client, new TopicPartition("streamed", 0), 500, 64 * 1024, Duration.ofMillis(200))
          .take(500)
          .runWith(Sink.seq(), client.system()));
      assertEquals(IntStream.range(500, 1000).boxed().toList(), read.stream().map(r -> (int) r.offset()).toList());
      assertEquals("m777", new String(read.get(277).value(), StandardCharsets.UTF_8));
    }
  }
}
