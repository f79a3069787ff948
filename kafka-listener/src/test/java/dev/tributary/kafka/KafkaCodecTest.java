package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * Answers written with their records by reference are, byte for byte, what kafka-clients' own
 * writer makes of the same header and body into one buffer.
 */
class KafkaCodecTest {

  @Test
  void aFetchAnswerIsKafkasOwnBytesAtEveryVersion() {
    for (short v = ApiKeys.FETCH.oldestVersion(); v <= ApiKeys.FETCH.latestVersion(); v++) {
      FetchResponseData body = fetchAnswer();
      assertArrayEquals(reference(7, ApiKeys.FETCH, v, body),
          KafkaCodec.encode(7, ApiKeys.FETCH, v, body).toArray(), "Fetch v" + v);
    }
  }

  @Test
  void anAnswerWithoutRecordsIsKafkasOwnBytes() {
    MetadataResponseData body = new MetadataResponseData().setClusterId("c").setControllerId(0);
    body.brokers().add(new MetadataResponseData.MetadataResponseBroker().setNodeId(0).setHost("127.0.0.1").setPort(9092));
    for (short v = ApiKeys.METADATA.oldestVersion(); v <= ApiKeys.METADATA.latestVersion(); v++) {
      assertArrayEquals(reference(3, ApiKeys.METADATA, v, body),
          KafkaCodec.encode(3, ApiKeys.METADATA, v, body).toArray(), "Metadata v" + v);
    }
  }

  @Test
  void recordsInADirectBufferAreWrittenToo() {
    MemoryRecords heap = records("direct");
    ByteBuffer direct = ByteBuffer.allocateDirect(heap.sizeInBytes()).put(heap.buffer().duplicate()).flip();
    FetchResponseData body = new FetchResponseData();
    body.responses().add(new FetchableTopicResponse().setTopic("t").setTopicId(Uuid.ONE_UUID));
    body.responses().get(0).partitions().add(new PartitionData().setRecords(MemoryRecords.readableRecords(direct)));
    short v = ApiKeys.FETCH.latestVersion();
    byte[] expected = reference(1, ApiKeys.FETCH, v, body);
    assertArrayEquals(expected, KafkaCodec.encode(1, ApiKeys.FETCH, v, body).toArray());
    assertEquals(heap.sizeInBytes(), direct.remaining(), "the records' buffer is read, not consumed");
  }

  /** The fetch path's records: batches in several pieces, as the journal read them, written as one run. */
  @Test
  void storedRecordsInPiecesAreWrittenAsTheirBytesEndToEnd() {
    MemoryRecords first = records("a", "b");
    MemoryRecords second = records("c");
    ByteString pieces = ByteString.fromByteBuffer(first.buffer()).concat(ByteString.fromByteBuffer(second.buffer()));
    short v = ApiKeys.FETCH.latestVersion();

    byte[] expected = reference(5, ApiKeys.FETCH, v, oneTopic(MemoryRecords.readableRecords(pieces.asByteBuffer())));
    assertArrayEquals(expected, KafkaCodec.encode(5, ApiKeys.FETCH, v, oneTopic(new StoredRecords(pieces))).toArray());
  }

  private static FetchResponseData oneTopic(BaseRecords records) {
    FetchResponseData body = new FetchResponseData();
    body.responses().add(new FetchableTopicResponse().setTopic("t").setTopicId(Uuid.ONE_UUID));
    body.responses().get(0).partitions().add(new PartitionData().setHighWatermark(3).setRecords(records));
    return body;
  }

  /** Two topics, partitions with records, without (empty), and with an error. */
  private static FetchResponseData fetchAnswer() {
    FetchResponseData body = new FetchResponseData().setSessionId(0);
    FetchableTopicResponse first = new FetchableTopicResponse().setTopic("orders").setTopicId(Uuid.ONE_UUID);
    first.partitions().add(new PartitionData().setPartitionIndex(0).setHighWatermark(2).setRecords(records("a", "b")));
    first.partitions().add(new PartitionData().setPartitionIndex(1).setRecords(MemoryRecords.EMPTY));
    first.partitions().add(new PartitionData().setPartitionIndex(2).setErrorCode((short) 6).setRecords(MemoryRecords.EMPTY));
    FetchableTopicResponse second = new FetchableTopicResponse().setTopic("users").setTopicId(Uuid.METADATA_TOPIC_ID);
    second.partitions().add(new PartitionData().setPartitionIndex(0).setRecords(records("c")));
    body.responses().add(first);
    body.responses().add(second);
    return body;
  }

  private static MemoryRecords records(String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(1_700_000_000_000L + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
          values[i].getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  /** The header and body as kafka-clients writes them into one buffer of their total size. */
  private static byte[] reference(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
    ObjectSerializationCache cache = new ObjectSerializationCache();
    short headerVersion = apiKey.responseHeaderVersion(version);
    ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
    ByteBuffer out = ByteBuffer.allocate(header.size(cache, headerVersion) + body.size(cache, version));
    ByteBufferAccessor writer = new ByteBufferAccessor(out);
    header.write(writer, cache, headerVersion);
    body.write(writer, cache, version);
    assertEquals(0, out.remaining(), "Kafka's own sizes");
    return out.array();
  }
}
