package dev.tributary.protocol.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordBatchTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static RecordBatch threeRecords() {
    return new RecordBatchBuilder()
        .add(utf8("k1"), utf8("v1"), List.of(), 1_000)
        .add(null, utf8("v2"), List.of(new Header("h", utf8("x")), new Header("n", null)), 1_005)
        .add(utf8("k3"), null, List.of(), 990)
        .build(42, (short) 3, 7);
  }

  @Test
  void recordsRoundTripWithOffsetsTimestampsKeysValuesAndHeaders() {
    RecordBatch batch = RecordBatch.validate(ByteBuffer.wrap(threeRecords().toByteArray()));
    batch.stampBaseOffset(100);
    List<Record> records = RecordBatch.validate(batch.buffer()).records();
    assertEquals(3, records.size());
    assertEquals(100, records.get(0).offset());
    assertEquals(102, records.get(2).offset());
    assertEquals("v1", new String(records.get(0).value(), StandardCharsets.UTF_8));
    assertNull(records.get(1).key());
    assertNull(records.get(2).value());
    assertEquals(List.of(new Header("h", utf8("x")), new Header("n", null)), records.get(1).headers());
    assertEquals(1_005, records.get(1).timestamp());
    assertEquals(990, records.get(2).timestamp());
    assertEquals(1_000, batch.firstTimestamp());
    assertEquals(1_005, batch.maxTimestamp());
    assertEquals(42, batch.producerId());
    assertEquals(3, batch.producerEpoch());
    assertEquals(7, batch.baseSequence());
    assertEquals(9, batch.lastSequence());
    assertEquals(102, batch.lastOffset());
  }

  @Test
  void stampingTheBaseOffsetAndEpochKeepsTheCrcValid() {
    RecordBatch batch = threeRecords();
    batch.stampBaseOffset(123_456_789L);
    batch.stampLeaderEpoch(5);
    RecordBatch valid = RecordBatch.validate(batch.buffer());
    assertEquals(123_456_789L, valid.baseOffset());
    assertEquals(5, valid.leaderEpoch());
  }

  @Test
  void aFlippedBitAWrongLengthOrATruncatedBatchIsRejectedWithAReason() {
    byte[] bytes = threeRecords().toByteArray();
    // Every byte but the base offset (0-7) and the leader epoch (12-15), which the broker stamps,
    // is checked: the length (8-11) and magic (16) by value, the CRC (17-20) against the bytes
    // from the attributes (21) on, which it covers.
    for (int i = RecordBatch.LENGTH; i < bytes.length; i++) {
      if (i >= RecordBatch.LEADER_EPOCH && i < RecordBatch.LEADER_EPOCH + 4) {
        continue;
      }
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x10;
      CorruptRecordException e = assertThrows(CorruptRecordException.class,
          () -> RecordBatch.validate(ByteBuffer.wrap(damaged)), "byte " + i);
      String reason = e.getMessage();
      if (i < RecordBatch.LENGTH + 4) {
        assertTrue(reason.contains("length field"), "byte " + i + ": " + reason);
      } else if (i == RecordBatch.MAGIC_OFFSET) {
        assertTrue(reason.contains("magic"), "byte " + i + ": " + reason);
      } else if ((i >= RecordBatch.LAST_OFFSET_DELTA && i < RecordBatch.LAST_OFFSET_DELTA + 4)
          || (i >= RecordBatch.RECORD_COUNT && i < RecordBatch.RECORD_COUNT + 4)) {
        assertTrue(reason.contains("last offset delta"), "byte " + i + ": " + reason);
      } else {
        assertTrue(reason.contains("CRC"), "byte " + i + ": " + reason);
      }
    }
    CorruptRecordException truncated = assertThrows(CorruptRecordException.class,
        () -> RecordBatch.validate(ByteBuffer.wrap(bytes, 0, bytes.length - 1)));
    assertTrue(truncated.getMessage().contains("length"), truncated.getMessage());
    assertThrows(CorruptRecordException.class, () -> RecordBatch.validate(ByteBuffer.wrap(new byte[10])));
  }

  @Test
  void theCrcCoversTheAttributesToTheEndAndNothingBefore() {
    byte[] bytes = threeRecords().toByteArray();
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes, RecordBatch.ATTRIBUTES, bytes.length - RecordBatch.ATTRIBUTES);
    assertEquals((int) crc.getValue(), ByteBuffer.wrap(bytes).getInt(RecordBatch.CRC));
    assertEquals(bytes.length - 12, ByteBuffer.wrap(bytes).getInt(RecordBatch.LENGTH), "length counts bytes after it");
    assertEquals(RecordBatch.MAGIC, bytes[RecordBatch.MAGIC_OFFSET]);
  }

  @Test
  void aBatchInTheEarlierTributaryLayoutIsNamedAsSuch() {
    // The header as Tributary wrote it before Kafka's layout: epoch at 8, length at 12 (counting
    // the bytes after 16), CRC at 16, magic at 20; from 21 on as now.
    byte[] current = threeRecords().toByteArray();
    ByteBuffer old = ByteBuffer.wrap(current.clone());
    old.putLong(0, 0).putInt(8, 0).putInt(12, current.length - 16).putInt(16, 0).put(20, RecordBatch.MAGIC);
    CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> RecordBatch.validate(old));
    assertTrue(e.getMessage().contains("earlier Tributary"), e.getMessage());
  }

  @Test
  void aBuiltBatchSharesItsBytesAndASliceIsCopied() {
    RecordBatch built = threeRecords();
    assertTrue(built.sharedBytes() == built.sharedBytes(), "no copy for a batch that spans its array");
    byte[] padded = new byte[built.sizeInBytes() + 10];
    System.arraycopy(built.toByteArray(), 0, padded, 5, built.sizeInBytes());
    RecordBatch slice = RecordBatch.wrap(ByteBuffer.wrap(padded, 5, built.sizeInBytes()));
    assertEquals(built.sizeInBytes(), slice.sharedBytes().length, "a slice of a larger array is copied out");
  }

  @Test
  void concatenatedBatchesSplitBackIntoBatches() {
    byte[] a = threeRecords().toByteArray();
    RecordBatch second = new RecordBatchBuilder().add(null, utf8("z"), List.of(), 5).build();
    second.stampBaseOffset(3);
    byte[] b = second.toByteArray();
    ByteBuffer both = ByteBuffer.allocate(a.length + b.length).put(a).put(b).flip();
    List<RecordBatch> batches = RecordBatch.split(both);
    assertEquals(2, batches.size());
    assertEquals(3, batches.get(1).baseOffset());
    assertEquals("z", new String(batches.get(1).records().get(0).value(), StandardCharsets.UTF_8));
  }

  @Test
  void varintsRoundTripAtTheirBoundaries() {
    ByteBuffer buf = ByteBuffer.allocate(64);
    for (long v : new long[] {0, 1, -1, 63, -64, 64, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE}) {
      buf.clear();
      Varints.writeVarlong(v, buf);
      assertEquals(Varints.sizeOfVarlong(v), buf.position());
      buf.flip();
      assertEquals(v, Varints.readVarlong(buf));
      if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
        buf.clear();
        Varints.writeVarint((int) v, buf);
        assertEquals(Varints.sizeOfVarint((int) v), buf.position());
        buf.flip();
        assertEquals((int) v, Varints.readVarint(buf));
      }
    }
  }
}
