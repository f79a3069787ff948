package dev.tributary.protocol.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Compressed batches, each codec both ways: kafka-clients (the reference, a test dependency only)
 * reads the batches our builder compresses, and ours reads, checks and decodes the batches Kafka's
 * producer compresses. A compressed batch whose records are not what its header says is refused.
 */
class CompressedBatchInteropTest {

  private static final long T = 1_700_000_000_000L;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Enough alike records that every codec shrinks them, with keys, headers and nulls. */
  private static List<Record> records() {
    List<Record> records = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      records.add(new Record(i, T + i, i % 7 == 0 ? null : utf8("customer-" + (i % 13)),
          i % 50 == 49 ? null : utf8("{\"order\":" + i + ",\"status\":\"created\",\"items\":[1,2,3]}"),
          i % 3 == 0 ? List.of(new Header("trace", utf8("t-" + i)), new Header("none", null)) : List.of()));
    }
    return records;
  }

  private static RecordBatch ours(Compression codec) {
    RecordBatchBuilder builder = new RecordBatchBuilder();
    records().forEach(r -> builder.add(r.key(), r.value(), r.headers(), r.timestamp()));
    return builder.build(77L, (short) 1, 0, codec);
  }

  private static org.apache.kafka.common.compress.Compression kafkaCodec(Compression codec) {
    return switch (codec) {
      case NONE -> org.apache.kafka.common.compress.Compression.NONE;
      case GZIP -> org.apache.kafka.common.compress.Compression.gzip().build();
      case SNAPPY -> org.apache.kafka.common.compress.Compression.snappy().build();
      case LZ4 -> org.apache.kafka.common.compress.Compression.lz4().build();
      case ZSTD -> org.apache.kafka.common.compress.Compression.zstd().build();
    };
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void kafkaReadsTheBatchesWeCompress(Compression codec) {
    RecordBatch batch = ours(codec);
    if (codec != Compression.NONE) {
      assertTrue(batch.sizeInBytes() < ours(Compression.NONE).sizeInBytes() / 2,
          codec + " shrinks alike records: " + batch.sizeInBytes() + " bytes");
    }
    List<MutableRecordBatch> batches = new ArrayList<>();
    MemoryRecords.readableRecords(ByteBuffer.wrap(batch.toByteArray())).batches().forEach(batches::add);
    assertEquals(1, batches.size());
    MutableRecordBatch kafka = batches.get(0);
    kafka.ensureValid();
    assertEquals(CompressionType.forId(codec.id()), kafka.compressionType());
    assertEquals(200, kafka.countOrNull());
    List<Record> read = new ArrayList<>();
    for (org.apache.kafka.common.record.internal.Record r : kafka) {
      r.ensureValid();
      read.add(KafkaRecords.fromKafka(r));
    }
    assertEquals(records(), read);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void weCheckAndReadTheBatchesKafkaCompresses(Compression codec) {
    SimpleRecord[] asKafka = records().stream().map(r -> new SimpleRecord(r.timestamp(), r.key(), r.value(),
        r.headers().stream().map(h -> new RecordHeader(h.key(), h.value()))
            .toArray(org.apache.kafka.common.header.Header[]::new))).toArray(SimpleRecord[]::new);
    MemoryRecords kafka = MemoryRecords.withRecords(RecordBatch.MAGIC, 0L, kafkaCodec(codec),
        TimestampType.CREATE_TIME, 77L, (short) 1, 0, 0, false, asKafka);
    RecordBatch batch = RecordBatch.validate(kafka.buffer()).validateRecords();
    assertEquals(codec, batch.compression());
    assertEquals(200, batch.recordCount());
    assertEquals(records(), batch.records());
  }

  /** A batch with a valid header and CRC over {@code body} as its (claimed compressed) records. */
  private static ByteBuffer withBody(Compression codec, int count, byte[] body) {
    ByteBuffer out = ByteBuffer.allocate(RecordBatch.HEADER_SIZE + body.length);
    out.putLong(0L).putInt(RecordBatch.HEADER_SIZE + body.length - RecordBatch.LENGTH_OVERHEAD).putInt(0)
        .put(RecordBatch.MAGIC).putInt(0).putShort((short) codec.id()).putInt(count - 1).putLong(T).putLong(T)
        .putLong(-1L).putShort((short) -1).putInt(-1).putInt(count).put(body).flip();
    out.putInt(RecordBatch.CRC, RecordBatch.computeCrc(out));
    return out;
  }

  @Test
  void compressedRecordsThatAreNotWhatTheHeaderSaysAreRefused() {
    byte[] garbage = utf8("these bytes were never gzip");
    RecordBatch notGzip = RecordBatch.validate(withBody(Compression.GZIP, 1, garbage)); // the CRC holds
    CorruptRecordException refused = assertThrows(CorruptRecordException.class, notGzip::validateRecords);
    assertTrue(refused.getMessage().contains("gzip-decompress"), refused.getMessage());

    // Three records compressed, a header that claims five.
    RecordBatchBuilder three = new RecordBatchBuilder();
    for (int i = 0; i < 3; i++) {
      three.add(null, utf8("v" + i), List.of(), T);
    }
    RecordBatch built = three.build(-1, (short) -1, -1, Compression.ZSTD);
    byte[] compressed = new byte[built.sizeInBytes() - RecordBatch.HEADER_SIZE];
    built.buffer().duplicate().position(RecordBatch.HEADER_SIZE).get(compressed);
    RecordBatch claimsFive = RecordBatch.validate(withBody(Compression.ZSTD, 5, compressed));
    assertThrows(CorruptRecordException.class, claimsFive::validateRecords);
    RecordBatch claimsTwo = RecordBatch.validate(withBody(Compression.ZSTD, 2, compressed));
    CorruptRecordException extra = assertThrows(CorruptRecordException.class, claimsTwo::validateRecords);
    assertTrue(extra.getMessage().contains("after its 2 records"), extra.getMessage());
  }

  @Test
  void countsAndLengthsFromTheSenderNeverSizeAnAllocation() {
    // A tiny gzip body whose header claims two billion records: refused, not an OutOfMemoryError.
    byte[] one = Compression.GZIP.compress(new byte[] {7, 0, 0, 0, 0, 0, 0}, 0, 7);
    RecordBatch claimsBillions = RecordBatch.validate(withBody(Compression.GZIP, Integer.MAX_VALUE - 1, one));
    CorruptRecordException refused = assertThrows(CorruptRecordException.class, claimsBillions::validateRecords);
    assertTrue(refused.getMessage().contains("claims " + (Integer.MAX_VALUE - 1) + " records"), refused.getMessage());
    // A record whose value claims a gigabyte.
    byte[] record = {12, 0, 0, 0, 1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08, 0, 0, 0};
    RecordBatch bigValue = RecordBatch.validate(withBody(Compression.ZSTD, 1,
        Compression.ZSTD.compress(record, 0, record.length)));
    assertThrows(CorruptRecordException.class, bigValue::validateRecords);
  }

  @Test
  void recordOffsetsMustBeIncremental() {
    // Two records, both with offset delta 0.
    byte[] records = {14, 0, 0, 0, 1, 2, 'a', 0, 14, 0, 0, 0, 1, 2, 'b', 0};
    RecordBatch repeated = RecordBatch.validate(withBody(Compression.LZ4, 2,
        Compression.LZ4.compress(records, 0, records.length)));
    CorruptRecordException refused = assertThrows(CorruptRecordException.class, repeated::validateRecords);
    assertTrue(refused.getMessage().contains("must be incremental"), refused.getMessage());
  }

  @Test
  void aCodecsOwnErrorsAreCorruptRecords() {
    // xerial's stream header, then a chunk of negative length: snappy-java throws an Error of its own.
    java.nio.ByteBuffer snappy = java.nio.ByteBuffer.allocate(20).put(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P',
        'Y', 0}).putInt(1).putInt(1).putInt(-16);
    RecordBatch broken = RecordBatch.validate(withBody(Compression.SNAPPY, 1, snappy.array()));
    assertThrows(CorruptRecordException.class, broken::validateRecords);
  }

  @Test
  void anUnknownCodecIsRefusedByName() {
    CorruptRecordException refused = assertThrows(CorruptRecordException.class,
        () -> RecordBatch.validate(withBodyOfCodecId(5)));
    assertTrue(refused.getMessage().contains("unknown compression codec 5"), refused.getMessage());
  }

  private static ByteBuffer withBodyOfCodecId(int id) {
    ByteBuffer b = withBody(Compression.NONE, 1, new byte[] {8, 0, 0, 0, 1, 0, 0});
    b.putShort(RecordBatch.ATTRIBUTES, (short) id);
    b.putInt(RecordBatch.CRC, RecordBatch.computeCrc(b));
    return b;
  }

  @Test
  void settingsNameTheCodecsAsKafkaDoes() {
    assertEquals(Compression.LZ4, Compression.parse("LZ4"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Compression.parse("brotli"));
    assertTrue(bad.getMessage().contains("none, gzip, snappy, lz4 or zstd"), bad.getMessage());
  }
}
