package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Replaying a group partition's records, and the snapshot that replaces them. */
class GroupLogStateTest {

  private static final TopicPartition P0 = new TopicPartition("orders", 0);
  private static final TopicPartition P1 = new TopicPartition("orders", 1);

  private final GroupLogState state = new GroupLogState();
  private long next;

  private void append(GroupLogRecord... records) {
    for (GroupLogRecord r : records) {
      // Through the bytes, as a coordinator reads them from the log.
      state.apply(GroupLogRecord.decode(GroupLogRecord.key(r), GroupLogRecord.value(r)), next++);
    }
  }

  private static GroupLogRecord.OffsetCommitted commit(String group, TopicPartition p, long offset) {
    return new GroupLogRecord.OffsetCommitted(group, p, offset, "", 1000 + offset);
  }

  private static GroupLogRecord.Membership members(String group, int generation, String... ids) {
    return new GroupLogRecord.Membership(group, generation, java.util.Arrays.stream(ids)
        .map(id -> new GroupLogRecord.Member(id, generation, "uniform", 10_000, List.of("orders"), "", List.of(P0),
            List.of(P0)))
        .toList());
  }

  @Test
  void theLastRecordOfAKeyWins() {
    append(commit("a", P0, 5), commit("a", P1, 7), commit("a", P0, 9), members("a", 1, "m1"), members("a", 2, "m1", "m2"));
    GroupLogState.Group a = state.group("a").orElseThrow();
    assertEquals(9, a.offsets().get(P0).offset());
    assertEquals(7, a.offsets().get(P1).offset());
    assertEquals(2, a.membership().generation());
    assertEquals(2, a.membership().members().size());
  }

  @Test
  void removalsAndDeletionsForgetOnlyTheirOwnState() {
    append(commit("a", P0, 5), commit("a", P1, 7), commit("b", P0, 3), members("b", 1, "m1"));
    append(new GroupLogRecord.OffsetRemoved("a", P0));
    assertEquals(Set.of(P1), state.group("a").orElseThrow().offsets().keySet());
    append(new GroupLogRecord.OffsetRemoved("a", P1));
    assertTrue(state.group("a").isEmpty(), "no offsets and no members left: no group");
    append(new GroupLogRecord.GroupDeleted("b"));
    assertTrue(state.group("b").isEmpty());
    assertEquals(Set.of(), state.groupIds());
    append(commit("b", P0, 1));
    assertEquals(1, state.group("b").orElseThrow().offsets().get(P0).offset(), "a deleted group can start again");
  }

  @Test
  void anEmptyMembershipLeavesTheOffsets() {
    append(commit("a", P0, 5), members("a", 3, "m1"), members("a", 4));
    GroupLogState.Group a = state.group("a").orElseThrow();
    assertEquals(List.of(), a.membership().members());
    assertEquals(5, a.offsets().get(P0).offset());
  }

  @Test
  void aSnapshotAloneRebuildsTheSameGroupsAndLetsTheLogStartAtIt() {
    append(commit("a", P0, 5), commit("a", P0, 6), commit("b", P1, 2), members("b", 2, "m1"),
        new GroupLogRecord.GroupDeleted("c"), commit("a", P1, 8), new GroupLogRecord.OffsetRemoved("b", P1));
    assertEquals(0, state.removableBelow(), "no snapshot yet: everything is needed");
    assertEquals(7, state.recordsSinceSnapshot());

    List<GroupLogRecord> snapshot = state.snapshot();
    long start = next;
    append(snapshot.toArray(GroupLogRecord[]::new));
    append(new GroupLogRecord.SnapshotMark(start));
    assertEquals(start, state.removableBelow());
    assertEquals(0, state.recordsSinceSnapshot());

    GroupLogState fromSnapshot = new GroupLogState();
    long offset = start;
    for (GroupLogRecord r : snapshot) {
      fromSnapshot.apply(r, offset++);
    }
    assertEquals(state.groupIds(), fromSnapshot.groupIds());
    for (String id : state.groupIds()) {
      assertEquals(state.group(id), fromSnapshot.group(id), "group " + id);
    }
    assertEquals(Set.of("a", "b"), state.groupIds());
  }

  @Test
  void aSnapshotMarkNeverMovesTheStartBackOrAheadOfItself() {
    append(commit("a", P0, 1), commit("a", P0, 2), new GroupLogRecord.SnapshotMark(1));
    assertEquals(1, state.removableBelow());
    append(new GroupLogRecord.SnapshotMark(0));
    assertEquals(1, state.removableBelow(), "an older mark does not move the start back");
    append(new GroupLogRecord.SnapshotMark(99));
    assertEquals(1, state.removableBelow(), "a mark naming an offset after its own is ignored");
  }
}
