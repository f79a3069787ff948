package dev.tributary.kafka;

import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;
import org.apache.pekko.util.ByteString;

/**
 * Fetched record batches as a Fetch answer's records, still in the pieces the journal read them
 * into: {@link RecordsByReference} writes them to the answer as they are, where {@code
 * MemoryRecords} would first need them copied into one buffer.
 */
record StoredRecords(ByteString bytes) implements BaseRecords {

  @Override
  public int sizeInBytes() {
    return bytes.size();
  }

  /** Never called: the listener writes answers with {@link RecordsByReference}, not Kafka's network layer. */
  @Override
  public RecordsSend<? extends BaseRecords> toSend() {
    throw new UnsupportedOperationException("stored records are written by RecordsByReference, not sent by Kafka's network layer");
  }
}
