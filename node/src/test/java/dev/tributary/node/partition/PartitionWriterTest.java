package dev.tributary.node.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The writer alone: one Append is one persist of all its batches, answered once they are stored. */
class PartitionWriterTest {

  private static final ActorTestKit testKit = ActorTestKit.create(EventSourcedBehaviorTestKit.config()
      .withFallback(com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(com.typesafe.config.ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static BatchAppended batch(String text) {
    return new BatchAppended(new RecordBatchBuilder()
        .add(null, text.getBytes(StandardCharsets.UTF_8), List.of(), 1_000L).build().toByteArray());
  }

  @Test
  void anAppendPersistsAllItsBatchesInOrderAndThenAnswers() {
    EventSourcedBehaviorTestKit<PartitionWriter.Command, BatchAppended, PartitionWriter.State> writer =
        EventSourcedBehaviorTestKit.create(testKit.system(), PartitionWriter.create("writer-test-0"),
            // Its commands and stateless state never leave the node; its events are the stored log.
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyCommands(false).withVerifyState(false));
    CommandResultWithReply<PartitionWriter.Command, BatchAppended, PartitionWriter.State, PartitionWriter.Appended> result =
        writer.runCommand(replyTo -> new PartitionWriter.Append(List.of(batch("a"), batch("b"), batch("c")), replyTo));

    assertEquals(3, result.reply().batches());
    assertEquals(3, result.events().size(), "every batch of the append");
    assertArrayEquals(batch("b").batch(), result.events().get(1).batch());

    CommandResultWithReply<PartitionWriter.Command, BatchAppended, PartitionWriter.State, PartitionWriter.Appended> next =
        writer.runCommand(replyTo -> new PartitionWriter.Append(List.of(batch("d")), replyTo));
    assertEquals(1, next.reply().batches());
    assertEquals(1, next.events().size(), "only the new append's batch");
  }
}
