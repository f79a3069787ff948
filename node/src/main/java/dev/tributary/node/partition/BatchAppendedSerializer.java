package dev.tributary.node.partition;

import org.apache.pekko.serialization.JSerializer;

/** Stores a {@link BatchAppended} as exactly the batch's bytes: no envelope, nothing to decode. */
public final class BatchAppendedSerializer extends JSerializer {

  @Override
  public int identifier() {
    return 7_420_002;
  }

  @Override
  public boolean includeManifest() {
    return false;
  }

  @Override
  public byte[] toBinary(Object o) {
    return ((BatchAppended) o).batch();
  }

  @Override
  public Object fromBinaryJava(byte[] bytes, Class<?> manifest) {
    return new BatchAppended(bytes);
  }
}
