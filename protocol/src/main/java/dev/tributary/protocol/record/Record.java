package dev.tributary.protocol.record;

import java.util.Arrays;
import java.util.List;

/**
 * A record in a partition: key and value bytes (either may be null), headers, a timestamp (epoch
 * ms) and, once stored, its offset (-1 before that).
 */
public record Record(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {

  public Record {
    headers = List.copyOf(headers);
  }

  /** A record to produce: no offset yet. */
  public static Record of(byte[] key, byte[] value, long timestamp) {
    return new Record(-1, timestamp, key, value, List.of());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Record r && offset == r.offset && timestamp == r.timestamp
        && Arrays.equals(key, r.key) && Arrays.equals(value, r.value) && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(offset) * 31 + Arrays.hashCode(value);
  }

  @Override
  public String toString() {
    return "Record(offset=" + offset + ", timestamp=" + timestamp + ", key="
        + (key == null ? "null" : key.length + " bytes") + ", value="
        + (value == null ? "null" : value.length + " bytes") + ", headers=" + headers + ")";
  }
}
