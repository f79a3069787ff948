package dev.tributary.node;

import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.client.TributaryStreams;
import dev.tributary.protocol.message.GroupRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Pekko Streams edges: a sink into a topic, a source of a partition, a committable group source and its committer. */
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

  /**
   * A committable source feeding a batching committer: every record once, offsets committed as
   * next-to-read, and a second run of the same group starts exactly after what was committed.
   */
  @Test
  void aCommittableSourceAndTheCommitterResumeExactlyAfterWhatWasCommitted() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("grouped", 4, Map.of()));
      produce(client, "grouped", 0, 2_000);
      ConsumerSettings settings = ConsumerSettings.defaults().withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST);

      java.util.Set<String> firstRun = java.util.concurrent.ConcurrentHashMap.newKeySet();
      var first = TributaryStreams.committableSource(client, settings, "stream-group", List.of("grouped"))
          .map(m -> {
            assertTrue(firstRun.add(new String(m.record().value(), StandardCharsets.UTF_8)), "a record came twice");
            return m.committableOffset();
          })
          .toMat(TributaryStreams.committer(100, Duration.ofMillis(200)), Keep.both())
          .run(client.system());
      waitUntil(() -> committedTotal(client, "stream-group") == 2_000);
      first.first().shutdown();
      await(first.second());
      assertEquals(2_000, firstRun.size());

      produce(client, "grouped", 2_000, 10);
      List<String> secondRun = await(TributaryStreams.committableSource(client, settings, "stream-group", List.of("grouped"))
          .take(10)
          .map(m -> new String(m.record().value(), StandardCharsets.UTF_8))
          .runWith(Sink.seq(), client.system()));
      assertEquals(IntStream.range(2_000, 2_010).mapToObj(i -> "v" + i).collect(java.util.stream.Collectors.toSet()),
          java.util.Set.copyOf(secondRun), "the second run starts right after the committed offsets");
    }
  }

  private static void produce(TributaryClient client, String topic, int from, int count) {
    try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
      for (int i = from; i < from + count; i++) {
        producer.send(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      await(producer.flush());
    }
  }

  /** The sum of the group's committed offsets over all its partitions. */
  private static long committedTotal(TributaryClient client, String group) {
    var response = await(client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.FetchOffsets(group, List.of(), r)));
    return response.offsets().stream().mapToLong(GroupRequest.CommittedOffset::offset).sum();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "gave up waiting");
      Thread.sleep(50);
    }
  }
}
