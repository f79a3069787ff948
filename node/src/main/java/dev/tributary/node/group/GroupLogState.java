package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The groups of one group partition {@code __groups-N}, as its records say: replayed in offset
 * order by the coordinator that takes the partition's leadership, then kept up to date with every
 * record it writes. Plain data, no actors: the same replay on every replica gives the same groups.
 *
 * <p>It also knows where a snapshot may start: {@link #snapshot()} is every live key written
 * again, so once those records and a {@link GroupLogRecord.SnapshotMark} after them are committed,
 * the partition's records below the snapshot's first offset hold nothing the rest does not, and
 * the log may start there ({@link #removableBelow()}). Not thread-safe: one actor owns it.
 */
final class GroupLogState {

  /** One group's replayed state. */
  record Group(String groupId, Map<TopicPartition, GroupLogRecord.OffsetCommitted> offsets,
      GroupLogRecord.Membership membership) {}

  private final Map<String, Map<TopicPartition, GroupLogRecord.OffsetCommitted>> offsets = new TreeMap<>();
  private final Map<String, GroupLogRecord.Membership> memberships = new TreeMap<>();
  private long removableBelow;
  private long recordsSinceSnapshot;

  /** Applies one record; {@code offset} is its offset in the partition. */
  void apply(GroupLogRecord record, long offset) {
    if (record instanceof GroupLogRecord.OffsetCommitted o) {
      offsets.computeIfAbsent(o.groupId(), g -> new TreeMap<>()).put(o.partition(), o);
    } else if (record instanceof GroupLogRecord.OffsetRemoved o) {
      Map<TopicPartition, GroupLogRecord.OffsetCommitted> group = offsets.get(o.groupId());
      if (group != null) {
        group.remove(o.partition());
        if (group.isEmpty()) {
          offsets.remove(o.groupId());
        }
      }
    } else if (record instanceof GroupLogRecord.Membership m) {
      if (m.members().isEmpty()) {
        memberships.remove(m.groupId());
      } else {
        memberships.put(m.groupId(), m);
      }
    } else if (record instanceof GroupLogRecord.GroupDeleted d) {
      offsets.remove(d.groupId());
      memberships.remove(d.groupId());
    } else if (record instanceof GroupLogRecord.CoordinatorStarted) {
      return; // about the partition's leadership, no group's state
    } else if (record instanceof GroupLogRecord.SnapshotMark mark) {
      // A mark before its own start would be a coordinator's bug; never let the log start go back.
      if (mark.snapshotStart() <= offset) {
        removableBelow = Math.max(removableBelow, mark.snapshotStart());
        recordsSinceSnapshot = 0;
        return;
      }
    }
    recordsSinceSnapshot++;
  }

  /** The group's state, if it has a membership or any committed offset. */
  Optional<Group> group(String groupId) {
    Map<TopicPartition, GroupLogRecord.OffsetCommitted> committed = offsets.get(groupId);
    GroupLogRecord.Membership membership = memberships.get(groupId);
    if (committed == null && membership == null) {
      return Optional.empty();
    }
    return Optional.of(new Group(groupId,
        committed == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(committed)),
        membership == null ? new GroupLogRecord.Membership(groupId, 0, List.of()) : membership));
  }

  /** Every group with state here, sorted. */
  Set<String> groupIds() {
    Set<String> ids = new java.util.TreeSet<>(offsets.keySet());
    ids.addAll(memberships.keySet());
    return ids;
  }

  /**
   * Every live key's record, group by group: written from offset S and followed by a
   * {@code SnapshotMark(S)}, they replace everything before S.
   */
  List<GroupLogRecord> snapshot() {
    List<GroupLogRecord> records = new ArrayList<>();
    for (String groupId : groupIds()) {
      GroupLogRecord.Membership membership = memberships.get(groupId);
      if (membership != null) {
        records.add(membership);
      }
      records.addAll(offsets.getOrDefault(groupId, Map.of()).values());
    }
    return records;
  }

  /** The first offset the partition still needs: every record below it is covered by a later snapshot. */
  long removableBelow() {
    return removableBelow;
  }

  /** Records applied since the last snapshot mark (all of them before the first): when to take the next. */
  long recordsSinceSnapshot() {
    return recordsSinceSnapshot;
  }
}
