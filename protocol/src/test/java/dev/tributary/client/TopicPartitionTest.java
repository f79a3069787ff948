package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link TopicPartition} is in the client API and on the wire (group requests, stored group
 * offsets): its CBOR shape is the map {@code {topic, partition}} and nothing else, and its text form
 * is the partition id that {@code TopicNames} parses back, also for topic names with dashes.
 */
class TopicPartitionTest {

  private static ActorSystem<Void> system;
  private static ObjectMapper cbor;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "topic-partition-test");
    cbor = JacksonObjectMapperProvider.get(Adapter.toClassic(system)).getOrCreate("jackson-cbor", Optional.empty());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void goesOnTheWireAsTopicAndPartitionOnly() throws Exception {
    JsonNode tree = cbor.readTree(cbor.writeValueAsBytes(new TopicPartition("orders", 3)));
    List<String> fields = new java.util.ArrayList<>();
    tree.fieldNames().forEachRemaining(fields::add);
    assertEquals(List.of("topic", "partition"), fields);
    assertEquals("orders", tree.get("topic").textValue());
    assertEquals(3, tree.get("partition").intValue());
  }

  @Test
  void readsTheMapAnOlderBrokerWrote() throws Exception {
    ObjectNode written = cbor.createObjectNode().put("partition", 7).put("topic", "a-b");
    assertEquals(new TopicPartition("a-b", 7), cbor.readValue(cbor.writeValueAsBytes(written), TopicPartition.class));
  }

  @Test
  void itsIdParsesBackEvenWithDashesInTheTopicName() {
    for (TopicPartition tp : List.of(new TopicPartition("orders", 0), new TopicPartition("my-topic-2", 11))) {
      assertEquals(tp, TopicPartition.of(tp.id()));
      assertEquals(tp.id(), tp.toString());
    }
    assertEquals("my-topic-2-11", new TopicPartition("my-topic-2", 11).id());
    assertThrows(IllegalArgumentException.class, () -> TopicPartition.of("nodash"));
  }

  @Test
  void sortsByTopicThenPartitionNumber() {
    List<TopicPartition> sorted = new java.util.ArrayList<>(List.of(
        new TopicPartition("b", 0), new TopicPartition("a", 10), new TopicPartition("a", 2)));
    java.util.Collections.sort(sorted);
    assertEquals(List.of(new TopicPartition("a", 2), new TopicPartition("a", 10), new TopicPartition("b", 0)), sorted);
  }
}
