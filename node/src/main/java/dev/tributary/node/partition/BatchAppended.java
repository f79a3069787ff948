package dev.tributary.node.partition;

import dev.tributary.journal.OffsetRange;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;

/**
 * The partition log's only event: one record batch, stamped with its base offset. Serialized as
 * the batch's own bytes (see {@link BatchAppendedSerializer}), so a fetch serves the stored
 * payload as it is.
 */
public record BatchAppended(byte[] batch) implements OffsetRange {

  private RecordBatch view() {
    return RecordBatch.wrap(ByteBuffer.wrap(batch));
  }

  @Override
  public long baseOffset() {
    return view().baseOffset();
  }

  @Override
  public int recordCount() {
    return view().recordCount();
  }

  @Override
  public long maxTimestamp() {
    return view().maxTimestamp();
  }

  @Override
  public int leaderEpoch() {
    return view().leaderEpoch();
  }
}
