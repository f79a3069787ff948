package dev.tributary.node.partition;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Idempotent-producer bookkeeping of one partition: per producer id, its epoch, last sequence
 * number and its last few batches, so a retried batch is answered with its original offset and a
 * gap in sequence numbers is refused. A producer id that has not written for {@code expiration}
 * (Kafka's {@code producer.id.expiration.ms}) is forgotten by {@link #expire}. The state
 * {@linkplain #encode encodes} to the content of the journal's producer snapshot files. Owned by
 * the partition front; one thread.
 */
final class ProducerStates {

  /** The first byte of {@link #encode}'s output; a snapshot of another version is not read. */
  static final byte SNAPSHOT_VERSION = 1;

  /**
   * Batches remembered per producer for duplicate detection. Kafka remembers five, matching its
   * five requests in flight; remembering more lets a producer keep more batches in flight (over
   * one ordered Artery connection) and still retry safely.
   */
  static final int REMEMBERED_BATCHES = 32;

  private record Remembered(int baseSequence, int lastSequence, long baseOffset) {}

  private static final class State {
    short epoch;
    int lastSequence;
    /** When the broker last accepted a batch of this producer (its clock, epoch ms). */
    long lastWriteMillis;
    final ArrayDeque<Remembered> recent = new ArrayDeque<>();
  }

  /** What to do with a batch: append it, answer it as a duplicate, or refuse it. */
  record Verdict(ErrorCode error, String message, long duplicateOf) {
    static final Verdict APPEND = new Verdict(ErrorCode.NONE, "", -1);

    boolean isDuplicate() {
      return duplicateOf >= 0;
    }
  }

  private final Map<Long, State> producers = new HashMap<>();
  private final Clock clock;
  private final long expirationMillis;

  /**
   * @param clock the broker's clock, for when a producer last wrote
   * @param expiration how long a producer id is remembered after its last write
   */
  ProducerStates(Clock clock, Duration expiration) {
    if (expiration.isNegative() || expiration.isZero()) {
      throw new IllegalArgumentException("tributary.broker.producer-id-expiration must be a positive duration "
          + "(Kafka's default is 1d), got " + expiration);
    }
    this.clock = clock;
    this.expirationMillis = expiration.toMillis();
  }

  /** Producer ids remembered now. */
  int size() {
    return producers.size();
  }

  Verdict check(RecordBatch batch) {
    if (!batch.isIdempotent()) {
      return Verdict.APPEND;
    }
    State state = producers.get(batch.producerId());
    if (state == null) {
      return Verdict.APPEND; // a new producer (or one whose state has aged out): sequences start afresh
    }
    if (batch.producerEpoch() > state.epoch) {
      // A new epoch starts its sequences at 0 (the producer bumps it after a batch failed for good).
      return batch.baseSequence() == 0 ? Verdict.APPEND : new Verdict(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer "
          + batch.producerId() + " epoch " + batch.producerEpoch() + " must start at sequence 0, not "
          + batch.baseSequence(), -1);
    }
    if (batch.producerEpoch() < state.epoch) {
      return new Verdict(ErrorCode.INVALID_PRODUCER_EPOCH, "producer " + batch.producerId() + " epoch "
          + batch.producerEpoch() + " is older than the current epoch " + state.epoch, -1);
    }
    for (Remembered r : state.recent) {
      if (r.baseSequence == batch.baseSequence() && r.lastSequence == batch.lastSequence()) {
        return new Verdict(ErrorCode.NONE, "", r.baseOffset);
      }
    }
    int expected = state.lastSequence + 1;
    if (batch.baseSequence() != expected) {
      return new Verdict(ErrorCode.OUT_OF_ORDER_SEQUENCE, "producer " + batch.producerId()
          + " sent sequence " + batch.baseSequence() + " but " + expected + " was expected", -1);
    }
    return Verdict.APPEND;
  }

  /**
   * Records an appended batch (after {@link #check} said append), written now by the broker's
   * clock. Batches re-read from the log at start count as written at start too: the log does not
   * say when the broker took them, and forgetting a producer early would store its retries twice.
   */
  void onAppend(RecordBatch batch, long baseOffset) {
    if (!batch.isIdempotent()) {
      return;
    }
    State state = producers.computeIfAbsent(batch.producerId(), id -> new State());
    state.lastWriteMillis = clock.millis();
    if (batch.producerEpoch() != state.epoch) {
      state.epoch = batch.producerEpoch();
      state.recent.clear();
    }
    state.lastSequence = batch.lastSequence();
    state.recent.addLast(new Remembered(batch.baseSequence(), batch.lastSequence(), baseOffset));
    if (state.recent.size() > REMEMBERED_BATCHES) {
      state.recent.removeFirst();
    }
  }

  /**
   * Forgets every producer id whose last write is at least the expiration ago; returns how many.
   * A forgotten producer that writes again starts afresh, as a new one.
   */
  int expire() {
    long now = clock.millis();
    int expired = 0;
    for (Iterator<State> it = producers.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastWriteMillis >= expirationMillis) {
        it.remove();
        expired++;
      }
    }
    return expired;
  }

  /**
   * The whole state as bytes, for a snapshot file, producers in id order:
   *
   * <pre>
   * int8 version (1), int32 producer count, then per producer: int64 producer id, int16 epoch,
   * int32 last sequence, int64 last write (epoch ms), int32 remembered batch count, then per
   * batch (oldest first): int32 base sequence, int32 last sequence, int64 base offset
   * </pre>
   */
  byte[] encode() {
    int size = 1 + 4;
    for (State state : producers.values()) {
      size += 8 + 2 + 4 + 8 + 4 + state.recent.size() * (4 + 4 + 8);
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put(SNAPSHOT_VERSION).putInt(producers.size());
    for (Map.Entry<Long, State> e : new TreeMap<>(producers).entrySet()) { // by id: the same state, the same bytes
      State state = e.getValue();
      out.putLong(e.getKey()).putShort(state.epoch).putInt(state.lastSequence).putLong(state.lastWriteMillis)
          .putInt(state.recent.size());
      for (Remembered r : state.recent) {
        out.putInt(r.baseSequence).putInt(r.lastSequence).putLong(r.baseOffset);
      }
    }
    return out.array();
  }

  /**
   * Replaces this state with an {@link #encode}d one.
   *
   * @throws IllegalArgumentException when the bytes are not a snapshot of this version (the
   *     caller then rebuilds the state from the log instead)
   */
  void restore(byte[] snapshot) {
    ByteBuffer in = ByteBuffer.wrap(snapshot);
    Map<Long, State> restored = new HashMap<>();
    try {
      byte version = in.get();
      if (version != SNAPSHOT_VERSION) {
        throw new IllegalArgumentException("producer snapshot version " + version + ", this broker reads "
            + SNAPSHOT_VERSION);
      }
      int count = in.getInt();
      if (count < 0) {
        throw new IllegalArgumentException("the producer snapshot counts " + count + " producers");
      }
      for (int i = 0; i < count; i++) {
        long producerId = in.getLong();
        State state = new State();
        state.epoch = in.getShort();
        state.lastSequence = in.getInt();
        state.lastWriteMillis = in.getLong();
        int recent = in.getInt();
        if (recent < 0 || recent > in.remaining() / 16) {
          throw new IllegalArgumentException("producer " + producerId + " remembers " + recent + " batches");
        }
        for (int r = 0; r < recent; r++) {
          state.recent.addLast(new Remembered(in.getInt(), in.getInt(), in.getLong()));
          if (state.recent.size() > REMEMBERED_BATCHES) {
            state.recent.removeFirst(); // written by a broker that remembered more
          }
        }
        restored.put(producerId, state);
      }
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("the producer snapshot ends early", e);
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException("the producer snapshot has " + in.remaining() + " bytes after its end");
    }
    producers.clear();
    producers.putAll(restored);
  }
}
