package dev.tributary.protocol.record;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Kafka's view of a record, as ours, so that the interop tests compare records with equals. */
final class KafkaRecords {

  private KafkaRecords() {}

  static Record fromKafka(org.apache.kafka.common.record.internal.Record r) {
    List<Header> headers = new ArrayList<>();
    for (org.apache.kafka.common.header.Header h : r.headers()) {
      headers.add(new Header(h.key(), h.value()));
    }
    return new Record(r.offset(), r.timestamp(), bytes(r.key()), bytes(r.value()), headers);
  }

  static byte[] bytes(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }
}
