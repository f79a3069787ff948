package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.record.CorruptRecordException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The group log's records: each written as key and value and read back as itself, and bad bytes refused. */
class GroupLogRecordTest {

  private static final TopicPartition ORDERS_2 = new TopicPartition("orders", 2);

  static Stream<GroupLogRecord> records() {
    GroupLogRecord.Member byName = new GroupLogRecord.Member("m-1", 4, "uniform", 10_000, List.of("orders", "payments"),
        "", List.of(ORDERS_2, new TopicPartition("payments", 0)), List.of(ORDERS_2));
    GroupLogRecord.Member byPattern = new GroupLogRecord.Member("m-2", 1, "range", 45_000, List.of(), "orders-.*",
        List.of(), List.of(new TopicPartition("payments", 0)));
    return Stream.of(
        new GroupLogRecord.OffsetCommitted("readers", ORDERS_2, 42, "checkpoint ✓", 1_796_280_000_000L),
        new GroupLogRecord.OffsetCommitted("readers", ORDERS_2, 0, "", 0),
        new GroupLogRecord.OffsetRemoved("readers", ORDERS_2),
        new GroupLogRecord.Membership("readers", 7, List.of(byName, byPattern)),
        new GroupLogRecord.GroupDeleted("readers"),
        new GroupLogRecord.SnapshotMark(1234), new GroupLogRecord.CoordinatorStarted(7));
  }

  @ParameterizedTest
  @MethodSource("records")
  void eachRecordReadsBackAsItself(GroupLogRecord record) {
    assertEquals(record, GroupLogRecord.decode(GroupLogRecord.key(record), GroupLogRecord.value(record)));
  }

  @Test
  void removalsAreTombstonesAndShareTheirKeyWithWhatTheyRemove() {
    GroupLogRecord.OffsetCommitted committed = new GroupLogRecord.OffsetCommitted("g", ORDERS_2, 5, "", 1);
    GroupLogRecord.OffsetRemoved removed = new GroupLogRecord.OffsetRemoved("g", ORDERS_2);
    assertEquals(0, GroupLogRecord.value(removed).length);
    assertEquals(0, GroupLogRecord.value(new GroupLogRecord.GroupDeleted("g")).length);
    assertArrayEquals(GroupLogRecord.key(committed), GroupLogRecord.key(removed),
        "a later record with the same key replaces the earlier one");
  }

  @Test
  void keysOfDifferentGroupsAndPartitionsDiffer() {
    byte[] a = GroupLogRecord.key(new GroupLogRecord.OffsetCommitted("g", ORDERS_2, 5, "", 1));
    byte[] b = GroupLogRecord.key(new GroupLogRecord.OffsetCommitted("g", new TopicPartition("orders", 3), 5, "", 1));
    byte[] c = GroupLogRecord.key(new GroupLogRecord.OffsetCommitted("h", ORDERS_2, 5, "", 1));
    assertTrue(!Arrays.equals(a, b) && !Arrays.equals(a, c) && !Arrays.equals(b, c));
  }

  @Test
  void badBytesAreRefusedSayingWhatIsWrong() {
    byte[] key = GroupLogRecord.key(new GroupLogRecord.OffsetCommitted("g", ORDERS_2, 5, "", 1));
    byte[] value = GroupLogRecord.value(new GroupLogRecord.OffsetCommitted("g", ORDERS_2, 5, "", 1));

    assertMessage("at least a version and a type", () -> GroupLogRecord.decode(new byte[] {0}, value));
    assertMessage("at least a version and a type", () -> GroupLogRecord.decode(null, value));

    byte[] newerKey = key.clone();
    newerKey[0] = 1;
    assertMessage("key version 1 is not 0", () -> GroupLogRecord.decode(newerKey, value));

    byte[] unknownType = key.clone();
    unknownType[1] = 9;
    assertMessage("unknown group log record type 9", () -> GroupLogRecord.decode(unknownType, value));

    byte[] newerValue = value.clone();
    newerValue[0] = 3;
    assertMessage("value version 3 is not 0", () -> GroupLogRecord.decode(key, newerValue));

    assertMessage("ends early", () -> GroupLogRecord.decode(key, Arrays.copyOf(value, 5)));
    assertMessage("ends early", () -> GroupLogRecord.decode(Arrays.copyOf(key, key.length - 2), value));

    byte[] membershipKey = GroupLogRecord.key(new GroupLogRecord.Membership("g", 1, List.of()));
    byte[] negativeCount = {0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe};
    assertMessage("claims -2 members", () -> GroupLogRecord.decode(membershipKey, negativeCount));

    byte[] markKey = GroupLogRecord.key(new GroupLogRecord.SnapshotMark(3));
    assertMessage("snapshot mark without its value", () -> GroupLogRecord.decode(markKey, new byte[0]));
  }

  private static void assertMessage(String part, org.junit.jupiter.api.function.Executable decode) {
    CorruptRecordException e = assertThrows(CorruptRecordException.class, decode);
    assertTrue(e.getMessage().contains(part), "expected '" + part + "' in: " + e.getMessage());
  }
}
