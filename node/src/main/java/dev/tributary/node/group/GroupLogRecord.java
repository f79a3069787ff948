package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.record.CorruptRecordException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One record of a group partition {@code __groups-N}: what a coordinator writes so that the next
 * leader of that partition can rebuild its groups (issue 12; Kafka keeps the same in
 * {@code __consumer_offsets}). Each is a key and a value of an ordinary record: the key says what
 * the record is about (one group's offset for one partition, one group's membership), so a later
 * record with the same key replaces an earlier one, and a snapshot is every live key written again.
 *
 * <p>Layout, big-endian, strings as {@link DataOutputStream#writeUTF}: key = version byte (0), type
 * byte, group id, then for an offset the topic and partition; value = version byte (0), then the
 * type's fields. A value of length 0 is a tombstone: the key's state is gone. Anything else is
 * refused with {@link CorruptRecordException}, naming what is wrong, so a coordinator never
 * builds a group from bytes it misread.
 */
sealed interface GroupLogRecord {

  byte VERSION = 0;
  byte OFFSET = 0;
  byte MEMBERSHIP = 1;
  byte GROUP_DELETED = 2;
  byte SNAPSHOT_MARK = 3;
  byte COORDINATOR_STARTED = 4;

  /** The group the record is about; "" for a snapshot mark, which is about the partition. */
  String groupId();

  /** A committed offset of one partition, replacing the group's earlier one for it. */
  record OffsetCommitted(String groupId, TopicPartition partition, long offset, String metadata, long commitTimestamp)
      implements GroupLogRecord {}

  /** The group's committed offset for one partition is removed (a tombstone). */
  record OffsetRemoved(String groupId, TopicPartition partition) implements GroupLogRecord {}

  /**
   * A group's members as the coordinator last decided them: enough for the next coordinator to
   * know each member by id and epoch when it heartbeats again, with what it was given.
   */
  record Membership(String groupId, int generation, List<Member> members) implements GroupLogRecord {
    public Membership {
      members = List.copyOf(members);
    }
  }

  /**
   * One member of a {@link Membership}.
   *
   * @param topicPattern "" when the member names its topics only
   * @param target what the group's assignor gives the member
   * @param held every partition the member holds or was offered and may hold: until it reports
   *     otherwise, the next coordinator offers none of these to another member
   */
  record Member(String memberId, int epoch, String assignor, int sessionTimeoutMs, List<String> topics,
      String topicPattern, List<TopicPartition> target, List<TopicPartition> held) {
    public Member {
      topics = List.copyOf(topics);
      target = List.copyOf(target);
      held = List.copyOf(held);
    }
  }

  /** The group was deleted: its membership and every offset it committed are gone. */
  record GroupDeleted(String groupId) implements GroupLogRecord {}

  /**
   * Written after a snapshot: the records from {@code snapshotStart} (an offset of this partition)
   * up to this mark hold every live key, so everything below {@code snapshotStart} may be removed.
   */
  record SnapshotMark(long snapshotStart) implements GroupLogRecord {
    @Override
    public String groupId() {
      return "";
    }
  }

  /**
   * Written by earlier coordinators as the first record of their leader epoch, before they read the
   * partition. No longer written (a coordinator now replays to the log end and waits for the high
   * watermark, see {@link GroupPartitionLeader}); still read, and skipped, in logs that hold it.
   */
  record CoordinatorStarted(int leaderEpoch) implements GroupLogRecord {
    @Override
    public String groupId() {
      return "";
    }
  }

  // ---------------------------------------------------------------- encoding

  /** The record's key. */
  static byte[] key(GroupLogRecord record) {
    return write(out -> {
      out.writeByte(VERSION);
      if (record instanceof OffsetCommitted o) {
        offsetKey(out, o.groupId(), o.partition());
      } else if (record instanceof OffsetRemoved o) {
        offsetKey(out, o.groupId(), o.partition());
      } else if (record instanceof Membership m) {
        groupKey(out, MEMBERSHIP, m.groupId());
      } else if (record instanceof GroupDeleted d) {
        groupKey(out, GROUP_DELETED, d.groupId());
      } else if (record instanceof CoordinatorStarted) {
        groupKey(out, COORDINATOR_STARTED, "");
      } else {
        groupKey(out, SNAPSHOT_MARK, "");
      }
    });
  }

  /** The record's value: empty for a removal (a tombstone). */
  static byte[] value(GroupLogRecord record) {
    if (record instanceof OffsetRemoved || record instanceof GroupDeleted) {
      return new byte[0];
    }
    return write(out -> {
      out.writeByte(VERSION);
      if (record instanceof OffsetCommitted o) {
        out.writeLong(o.offset());
        out.writeUTF(o.metadata() == null ? "" : o.metadata());
        out.writeLong(o.commitTimestamp());
      } else if (record instanceof Membership m) {
        out.writeInt(m.generation());
        out.writeInt(m.members().size());
        for (Member member : m.members()) {
          writeMember(out, member);
        }
      } else if (record instanceof CoordinatorStarted c) {
        out.writeInt(c.leaderEpoch());
      } else {
        out.writeLong(((SnapshotMark) record).snapshotStart());
      }
    });
  }

  /**
   * The record a stored key and value are.
   *
   * @throws CorruptRecordException when they are not one this version wrote
   */
  static GroupLogRecord decode(byte[] key, byte[] value) {
    if (key == null || key.length < 2) {
      throw new CorruptRecordException("a group log record's key has " + (key == null ? "no" : key.length)
          + " bytes; it needs at least a version and a type");
    }
    try {
      DataInputStream k = new DataInputStream(new ByteArrayInputStream(key));
      byte keyVersion = k.readByte();
      if (keyVersion != VERSION) {
        throw new CorruptRecordException("group log key version " + keyVersion + " is not " + VERSION
            + " (written by a newer broker?)");
      }
      byte type = k.readByte();
      String groupId = k.readUTF();
      boolean tombstone = value == null || value.length == 0;
      return switch (type) {
        case OFFSET -> {
          TopicPartition partition = new TopicPartition(k.readUTF(), k.readInt());
          if (tombstone) {
            yield new OffsetRemoved(groupId, partition);
          }
          DataInputStream v = valueStream(value);
          yield new OffsetCommitted(groupId, partition, v.readLong(), v.readUTF(), v.readLong());
        }
        case MEMBERSHIP -> {
          if (tombstone) {
            yield new Membership(groupId, 0, List.of());
          }
          DataInputStream v = valueStream(value);
          int generation = v.readInt();
          int count = count(v.readInt(), "members");
          List<Member> members = new ArrayList<>(count);
          for (int i = 0; i < count; i++) {
            members.add(readMember(v));
          }
          yield new Membership(groupId, generation, members);
        }
        case GROUP_DELETED -> new GroupDeleted(groupId);
        case SNAPSHOT_MARK -> {
          if (tombstone) {
            throw new CorruptRecordException("a snapshot mark without its value");
          }
          yield new SnapshotMark(valueStream(value).readLong());
        }
        case COORDINATOR_STARTED -> {
          if (tombstone) {
            throw new CorruptRecordException("a coordinator-started record without its value");
          }
          yield new CoordinatorStarted(valueStream(value).readInt());
        }
        default -> throw new CorruptRecordException("unknown group log record type " + type);
      };
    } catch (EOFException e) {
      throw new CorruptRecordException("a group log record ends early: " + key.length + " key bytes, "
          + (value == null ? 0 : value.length) + " value bytes");
    } catch (IOException e) {
      throw new CorruptRecordException("a group log record cannot be read: " + e.getMessage());
    }
  }

  private static DataInputStream valueStream(byte[] value) throws IOException {
    DataInputStream v = new DataInputStream(new ByteArrayInputStream(value));
    byte version = v.readByte();
    if (version != VERSION) {
      throw new CorruptRecordException("group log value version " + version + " is not " + VERSION
          + " (written by a newer broker?)");
    }
    return v;
  }

  /** A length read from the log, refused when negative or larger than any record can hold. */
  private static int count(int n, String what) {
    if (n < 0 || n > 1_000_000) {
      throw new CorruptRecordException("a group log record claims " + n + " " + what);
    }
    return n;
  }

  private static void offsetKey(DataOutputStream out, String groupId, TopicPartition partition) throws IOException {
    out.writeByte(OFFSET);
    out.writeUTF(groupId);
    out.writeUTF(partition.topic());
    out.writeInt(partition.partition());
  }

  private static void groupKey(DataOutputStream out, byte type, String groupId) throws IOException {
    out.writeByte(type);
    out.writeUTF(groupId);
  }

  private static void writeMember(DataOutputStream out, Member m) throws IOException {
    out.writeUTF(m.memberId());
    out.writeInt(m.epoch());
    out.writeUTF(m.assignor());
    out.writeInt(m.sessionTimeoutMs());
    out.writeInt(m.topics().size());
    for (String topic : m.topics()) {
      out.writeUTF(topic);
    }
    out.writeUTF(m.topicPattern() == null ? "" : m.topicPattern());
    writePartitions(out, m.target());
    writePartitions(out, m.held());
  }

  private static void writePartitions(DataOutputStream out, List<TopicPartition> partitions) throws IOException {
    out.writeInt(partitions.size());
    for (TopicPartition p : partitions) {
      out.writeUTF(p.topic());
      out.writeInt(p.partition());
    }
  }

  private static List<TopicPartition> readPartitions(DataInputStream in, String what) throws IOException {
    int count = count(in.readInt(), what);
    List<TopicPartition> partitions = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      partitions.add(new TopicPartition(in.readUTF(), in.readInt()));
    }
    return partitions;
  }

  private static Member readMember(DataInputStream in) throws IOException {
    String id = in.readUTF();
    int epoch = in.readInt();
    String assignor = in.readUTF();
    int sessionTimeoutMs = in.readInt();
    int topicCount = count(in.readInt(), "subscribed topics");
    List<String> topics = new ArrayList<>(topicCount);
    for (int i = 0; i < topicCount; i++) {
      topics.add(in.readUTF());
    }
    String pattern = in.readUTF();
    List<TopicPartition> target = readPartitions(in, "target partitions");
    List<TopicPartition> held = readPartitions(in, "held partitions");
    return new Member(id, epoch, assignor, sessionTimeoutMs, topics, pattern, target, held);
  }

  /** What writes one record's fields. */
  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }
}
