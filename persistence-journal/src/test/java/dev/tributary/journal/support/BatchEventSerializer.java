package dev.tributary.journal.support;

import java.nio.ByteBuffer;
import org.apache.pekko.serialization.JSerializer;

/** Binary serializer for {@link BatchEvent}: a 20-byte header and the record bytes. */
public final class BatchEventSerializer extends JSerializer {

  @Override
  public int identifier() {
    return 740_001;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    BatchEvent e = (BatchEvent) o;
    return ByteBuffer.allocate(20 + e.records().length)
        .putLong(e.baseOffset()).putInt(e.recordCount()).putLong(e.maxTimestamp())
        .put(e.records()).array();
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    long base = b.getLong();
    int count = b.getInt();
    long maxTs = b.getLong();
    byte[] records = new byte[b.remaining()];
    b.get(records);
    return new BatchEvent(base, count, maxTs, records);
  }
}
