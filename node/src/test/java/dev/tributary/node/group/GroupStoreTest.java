package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A group's stored offsets, on the persistence testkit with every command, event and state serialized. */
class GroupStoreTest {

  private static final ActorTestKit testKit = ActorTestKit.create(UnitTestConfig.get());
  private static final AtomicInteger groups = new AtomicInteger();

  private final String groupId = "store-" + groups.incrementAndGet();
  private final EventSourcedBehaviorTestKit<GroupStore.Command, GroupStore.Event, GroupStore.State> store =
      EventSourcedBehaviorTestKit.create(testKit.system(), GroupStore.create(groupId),
          EventSourcedBehaviorTestKit.enabledSerializationSettings());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void committedOffsetsAreStoredAndSurviveARestart() {
    CommittedOffset first = offset("t", 0, 5, "meta");
    EventSourcedBehaviorTestKit.CommandResultWithReply<GroupStore.Command, GroupStore.Event, GroupStore.State,
        GroupStore.Stored> result = store.runCommand(replyTo -> new GroupStore.Store(List.of(first), replyTo));
    assertEquals(new GroupStore.OffsetsCommitted(List.of(first)), result.event());
    assertEquals(new GroupStore.Stored(List.of(first)), result.reply());

    CommittedOffset later = offset("t", 0, 9, "");
    CommittedOffset other = offset("t", 1, 3, "");
    store.<GroupStore.Stored>runCommand(replyTo -> new GroupStore.Store(List.of(later, other), replyTo));
    assertEquals(later, store.getState().get(new TopicPartition("t", 0)), "a later commit replaces an earlier one");

    GroupStore.State recovered = store.restart().state();
    assertEquals(Map.of("t-0", later, "t-1", other), recovered.offsets());
    GroupStore.State read = store.<GroupStore.State>runCommand(GroupStore.Get::new).reply();
    assertEquals(recovered, read);
  }

  @Test
  void clearedOffsetsStayClearedAfterARestart() {
    store.<GroupStore.Stored>runCommand(replyTo -> new GroupStore.Store(List.of(offset("t", 0, 1, "")), replyTo));
    EventSourcedBehaviorTestKit.CommandResultWithReply<GroupStore.Command, GroupStore.Event, GroupStore.State,
        GroupStore.Stored> cleared = store.runCommand(GroupStore.Clear::new);
    assertEquals(new GroupStore.OffsetsCleared(), cleared.event());
    assertEquals(List.of(), cleared.reply().offsets());
    assertEquals(Map.of(), store.restart().state().offsets());
  }

  @Test
  void aSnapshotIsTakenEveryThousandCommitsAndARestartKeepsEveryOffset() {
    SnapshotTestKit snapshots = store.snapshotTestKit().orElseThrow();
    String persistenceId = "__group-" + groupId;
    for (int i = 0; i < 1_000; i++) {
      long offset = i;
      store.<GroupStore.Stored>runCommand(replyTo ->
          new GroupStore.Store(List.of(offset("t", (int) (offset % 3), offset, "")), replyTo));
    }
    GroupStore.State snapshot = snapshots.expectNextPersistedClass(persistenceId, GroupStore.State.class);
    assertEquals(Map.of("t-0", offset("t", 0, 999, ""), "t-1", offset("t", 1, 997, ""),
        "t-2", offset("t", 2, 998, "")), snapshot.offsets());

    store.<GroupStore.Stored>runCommand(replyTo -> new GroupStore.Store(List.of(offset("t", 0, 1_000, "")), replyTo));
    GroupStore.State recovered = store.restart().state();
    assertEquals(offset("t", 0, 1_000, ""), recovered.get(new TopicPartition("t", 0)));
    assertEquals(offset("t", 1, 997, ""), recovered.get(new TopicPartition("t", 1)));
    assertTrue(snapshots.persistedInStorage(persistenceId).size() >= 1);
  }

  private static CommittedOffset offset(String topic, int partition, long offset, String metadata) {
    return new CommittedOffset(new TopicPartition(topic, partition), offset, metadata);
  }
}
