package dev.tributary.protocol.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/**
 * Our batches are Kafka's record batch v2 byte for byte: kafka-clients (4.4.0, a test dependency
 * only, used as the reference reader and writer) reads what {@link RecordBatchBuilder} builds and
 * the broker stamps, and {@link RecordBatch} reads what Kafka builds.
 */
class KafkaBatchInteropTest {

  private static final long T = 1_700_000_000_000L;
  private static final long PRODUCER_ID = 9_001L;
  private static final short PRODUCER_EPOCH = 3;
  private static final int BASE_SEQUENCE = 40;
  private static final long BASE_OFFSET = 1_000L;
  private static final int LEADER_EPOCH = 7;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Keys, a null key, a null value, headers (one with a null value), a timestamp before the first. */
  private static final List<Record> RECORDS = List.of(
      new Record(BASE_OFFSET, T, utf8("order-1"), utf8("created"),
          List.of(new Header("trace", utf8("abc")), new Header("empty", null))),
      new Record(BASE_OFFSET + 1, T + 5, null, utf8("no key"), List.of()),
      new Record(BASE_OFFSET + 2, T - 3, utf8("order-3"), null, List.of(new Header("bin", new byte[] {0, 1, -1}))));

  /** {@link #RECORDS} built by our builder, then stamped as {@code GroupCommit} stamps a produce. */
  private static byte[] oursAsTheBrokerStoresThem() {
    RecordBatchBuilder builder = new RecordBatchBuilder();
    for (Record r : RECORDS) {
      builder.add(r.key(), r.value(), r.headers(), r.timestamp());
    }
    byte[] produced = builder.build(PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE).toByteArray();
    RecordBatch batch = RecordBatch.validate(ByteBuffer.wrap(produced));
    batch.stampBaseOffset(BASE_OFFSET);
    batch.stampLeaderEpoch(LEADER_EPOCH);
    return produced;
  }

  private static SimpleRecord[] asKafka(List<Record> records) {
    return records.stream()
        .map(r -> new SimpleRecord(r.timestamp(), r.key(), r.value(), r.headers().stream()
            .map(h -> new RecordHeader(h.key(), h.value()))
            .toArray(org.apache.kafka.common.header.Header[]::new)))
        .toArray(SimpleRecord[]::new);
  }

  @Test
  void kafkaReadsAStampedBatchOfOursWithAllItsFieldsAndRecords() {
    byte[] stored = oursAsTheBrokerStoresThem();
    List<MutableRecordBatch> batches = new ArrayList<>();
    MemoryRecords.readableRecords(ByteBuffer.wrap(stored)).batches().forEach(batches::add);
    assertEquals(1, batches.size());
    DefaultRecordBatch batch = assertInstanceOf(DefaultRecordBatch.class, batches.get(0));

    batch.ensureValid();
    assertTrue(batch.isValid(), "Kafka's CRC check");
    assertEquals(RecordBatch.MAGIC, batch.magic());
    assertEquals(stored.length, batch.sizeInBytes());
    assertEquals(BASE_OFFSET, batch.baseOffset());
    assertEquals(BASE_OFFSET + 2, batch.lastOffset());
    assertEquals(LEADER_EPOCH, batch.partitionLeaderEpoch());
    assertEquals(PRODUCER_ID, batch.producerId());
    assertEquals(PRODUCER_EPOCH, batch.producerEpoch());
    assertEquals(BASE_SEQUENCE, batch.baseSequence());
    assertEquals(BASE_SEQUENCE + 2, batch.lastSequence());
    assertEquals(3, batch.countOrNull());
    assertEquals(CompressionType.NONE, batch.compressionType());
    assertEquals(TimestampType.CREATE_TIME, batch.timestampType());
    assertEquals(T, batch.baseTimestamp());
    assertEquals(T + 5, batch.maxTimestamp());
    assertFalse(batch.isTransactional());
    assertFalse(batch.isControlBatch());

    List<Record> read = new ArrayList<>();
    for (org.apache.kafka.common.record.internal.Record r : batch) {
      r.ensureValid();
      read.add(KafkaRecords.fromKafka(r));
    }
    assertEquals(RECORDS, read);
    assertArrayEquals(utf8("abc"), read.get(0).headers().get(0).value());
  }

  @Test
  void aKafkaBatchPassesOurChecksAndDecodesToTheSameRecords() {
    MemoryRecords kafka = MemoryRecords.withRecords(RecordBatch.MAGIC, BASE_OFFSET, Compression.NONE,
        TimestampType.CREATE_TIME, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, LEADER_EPOCH, false,
        asKafka(RECORDS));

    RecordBatch batch = RecordBatch.validate(kafka.buffer());
    assertEquals(kafka.sizeInBytes(), batch.sizeInBytes());
    assertEquals(BASE_OFFSET, batch.baseOffset());
    assertEquals(BASE_OFFSET + 3, batch.nextOffset());
    assertEquals(LEADER_EPOCH, batch.leaderEpoch());
    assertEquals(PRODUCER_ID, batch.producerId());
    assertEquals(PRODUCER_EPOCH, batch.producerEpoch());
    assertEquals(BASE_SEQUENCE, batch.baseSequence());
    assertEquals(3, batch.recordCount());
    assertEquals(T, batch.firstTimestamp());
    assertEquals(T + 5, batch.maxTimestamp());
    assertEquals(RECORDS, batch.records());
  }

  @Test
  void theSameRecordsGiveTheSameBytesFromKafkaAndFromUs() {
    MemoryRecords kafka = MemoryRecords.withRecords(RecordBatch.MAGIC, BASE_OFFSET, Compression.NONE,
        TimestampType.CREATE_TIME, PRODUCER_ID, PRODUCER_EPOCH, BASE_SEQUENCE, LEADER_EPOCH, false,
        asKafka(RECORDS));
    assertArrayEquals(KafkaRecords.bytes(kafka.buffer()), oursAsTheBrokerStoresThem());
  }

  @Test
  void kafkaBatchesEndToEndSplitAsAFetchAnswerDoes() {
    ByteBuffer first = ByteBuffer.allocate(512);
    MemoryRecordsBuilder a = MemoryRecords.builder(first, Compression.NONE, TimestampType.CREATE_TIME, 0L);
    a.append(T, utf8("k"), utf8("one"), new org.apache.kafka.common.header.Header[] {new RecordHeader("h", utf8("x"))});
    a.append(T + 1, null, utf8("two"));
    MemoryRecords one = a.build();
    ByteBuffer second = ByteBuffer.allocate(512);
    MemoryRecordsBuilder b = MemoryRecords.builder(second, Compression.NONE, TimestampType.CREATE_TIME, 2L);
    b.append(T + 2, utf8("k"), utf8("three"));
    MemoryRecords two = b.build();
    ByteBuffer both = ByteBuffer.allocate(one.sizeInBytes() + two.sizeInBytes()).put(one.buffer()).put(two.buffer()).flip();

    List<RecordBatch> batches = RecordBatch.split(both);
    assertEquals(2, batches.size());
    RecordBatch firstBatch = RecordBatch.validate(batches.get(0).buffer());
    RecordBatch secondBatch = RecordBatch.validate(batches.get(1).buffer());
    assertFalse(firstBatch.isIdempotent());
    assertEquals(List.of(
        new Record(0, T, utf8("k"), utf8("one"), List.of(new Header("h", utf8("x")))),
        new Record(1, T + 1, null, utf8("two"), List.of())), firstBatch.records());
    assertEquals(List.of(new Record(2, T + 2, utf8("k"), utf8("three"), List.of())), secondBatch.records());
  }

  @Test
  void kafkaStampingTheLeaderEpochKeepsTheBatchValidForUs() {
    byte[] stored = oursAsTheBrokerStoresThem();
    DefaultRecordBatch batch = (DefaultRecordBatch) MemoryRecords.readableRecords(ByteBuffer.wrap(stored))
        .batches().iterator().next();
    batch.setPartitionLeaderEpoch(12);
    RecordBatch ours = RecordBatch.validate(ByteBuffer.wrap(stored));
    assertEquals(12, ours.leaderEpoch());
    assertEquals(RECORDS, ours.records());
  }
}
