package dev.tributary.node.partition;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.record.RecordBatch;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idempotent-producer bookkeeping of one partition: per producer id, its epoch, last sequence
 * number and its last few batches, so a retried batch is answered with its original offset and a
 * gap in sequence numbers is refused. Owned by the partition front; one thread.
 */
final class ProducerStates {

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

  /** Records an appended batch (after {@link #check} said append). */
  void onAppend(RecordBatch batch, long baseOffset) {
    if (!batch.isIdempotent()) {
      return;
    }
    State state = producers.computeIfAbsent(batch.producerId(), id -> new State());
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
}
