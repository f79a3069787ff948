package dev.tributary.journal.segment;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Builders for journal entries in engine tests. */
final class Entries {

  static final String WRITER = "11111111-2222-3333-4444-555555555555";

  private Entries() {}

  /** An ordinary event whose payload is {@code "event-<seq>"}. */
  static JournalEntry event(long sequenceNr) {
    return new JournalEntry(sequenceNr, true, null, 1_000 + sequenceNr, 4, "m", WRITER, "",
        Optional.empty(), ByteBuffer.wrap(("event-" + sequenceNr).getBytes(StandardCharsets.UTF_8)));
  }

  /** A record batch of {@code count} records whose payload is {@code payloadBytes} bytes. */
  static JournalEntry batch(long sequenceNr, long baseOffset, int count, long maxTimestamp,
      int payloadBytes) {
    return new JournalEntry(sequenceNr, true,
        new OffsetInfo(baseOffset, count, maxTimestamp, 0), maxTimestamp, 7, "batch", WRITER, "",
        Optional.empty(), payload(sequenceNr, payloadBytes));
  }

  /** A payload that starts with the sequence number, so reads can be checked byte for byte. */
  static ByteBuffer payload(long sequenceNr, int bytes) {
    ByteBuffer buf = ByteBuffer.allocate(Math.max(8, bytes));
    buf.putLong(sequenceNr);
    while (buf.hasRemaining()) {
      buf.put((byte) (sequenceNr + buf.position()));
    }
    return buf.flip();
  }

  /** Events {@code from..to}, one per element. */
  static List<JournalEntry> events(long from, long to) {
    List<JournalEntry> list = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      list.add(event(s));
    }
    return list;
  }

  static long sequenceOf(ByteBuffer payload) {
    return payload.getLong(payload.position());
  }

  static String text(JournalEntry entry) {
    ByteBuffer p = entry.payload().duplicate();
    byte[] bytes = new byte[p.remaining()];
    p.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
