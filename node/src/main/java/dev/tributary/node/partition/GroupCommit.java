package dev.tributary.node.partition;

import dev.tributary.node.TopicConfig;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.Compression;
import dev.tributary.protocol.record.CorruptRecordException;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's write path: it checks each produce, runs the idempotence check, stamps the base
 * offset and leader epoch in place and buffers the batch. At most one write is in flight; the
 * produces that arrive meanwhile all go into the next one (group commit): one {@code persist},
 * one journal write, one fsync. When a write is stored its produces go to the {@link LeaderLog},
 * which answers them at once or, with {@code acks=all}, once the high watermark covers them.
 * Lives on the partition entity's actor.
 */
final class GroupCommit {

  private final String topic;
  private final LogPosition log;
  private final LeaderLog leader;
  private final BrokerMetrics metrics;
  private final ReplicaStore store;
  private List<PendingProduce> buffered = new ArrayList<>();
  private List<PendingProduce> inFlight = List.of();
  private int inFlightEpoch;

  GroupCommit(String topic, LogPosition log, LeaderLog leader, BrokerMetrics metrics, ReplicaStore store) {
    this.topic = topic;
    this.log = log;
    this.leader = leader;
    this.metrics = metrics;
    this.store = store;
  }

  /** Whether a write is in flight. */
  boolean writing() {
    return !inFlight.isEmpty();
  }

  /** Adds the produce to the next write, or answers it; returns the error it was answered with. */
  ErrorCode accept(Produce produce, TopicConfig config) {
    if (produce.batch().length > config.maxMessageBytes()) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.RECORD_TOO_LARGE,
          "the batch has " + produce.batch().length + " bytes; topic " + topic + " allows max.message.bytes="
              + config.maxMessageBytes() + ": send smaller batches or raise the limit"));
      return ErrorCode.RECORD_TOO_LARGE;
    }
    RecordBatch batch;
    try {
      batch = RecordBatch.validate(ByteBuffer.wrap(produce.batch()));
      if (batch.compression() != Compression.NONE) {
        // Stored as it came: the CRC proves only that it arrived as sent, so its records are read
        // once here (as Kafka's leader does), never again on the broker.
        batch.validateRecords();
      }
    } catch (CorruptRecordException e) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.CORRUPT_RECORD, e.getMessage()));
      return ErrorCode.CORRUPT_RECORD;
    }
    ProducerStates.Verdict verdict = store.producers().check(batch);
    if (verdict.error() != ErrorCode.NONE) {
      produce.replyTo().tell(ProduceResponse.failed(produce, verdict.error(), verdict.message()));
      return verdict.error();
    }
    long now = System.nanoTime();
    if (verdict.isDuplicate()) {
      // A retry: answered with its original offset once that batch is stored (and, for acks=all,
      // committed), without a write of its own.
      long committedAt = verdict.duplicateOf() + batch.recordCount();
      PendingProduce retry = new PendingProduce(produce, verdict.duplicateOf(), committedAt, now, true);
      if (committedAt <= log.logEnd) {
        leader.stored(retry);
      } else {
        buffered.add(retry);
      }
      return ErrorCode.NONE;
    }
    long baseOffset = log.nextOffset;
    batch.stampBaseOffset(baseOffset);
    batch.stampLeaderEpoch(leader.epoch());
    log.nextOffset += batch.recordCount();
    store.producers().onAppend(batch, baseOffset);
    buffered.add(new PendingProduce(produce, baseOffset, log.nextOffset, now, false));
    return ErrorCode.NONE;
  }

  /** Sends the buffered produces as one write, unless a write is in flight. */
  void writeIfIdle() {
    if (!inFlight.isEmpty() || buffered.isEmpty()) {
      return;
    }
    List<BatchAppended> batches = new ArrayList<>(buffered.size());
    for (PendingProduce p : buffered) {
      if (!p.duplicate()) {
        batches.add(new BatchAppended(p.request().batch()));
      }
    }
    inFlight = buffered;
    buffered = new ArrayList<>();
    inFlightEpoch = leader.epoch();
    if (batches.isEmpty()) {
      stored(true, "");
    } else {
      store.snapshots().beforeWrite(log.nextOffset); // every accepted batch is in this write
      store.write(batches);
    }
  }

  /**
   * The write in flight is stored: the log end moves, and its produces are answered by the leader
   * role, or, when leadership moved meanwhile ({@code leading} false), {@code acks=leader} ones
   * as stored and {@code acks=all} ones {@code NOT_LEADER} with {@code refusal}.
   */
  void stored(boolean leading, String refusal) {
    boolean wrote = false;
    for (PendingProduce p : inFlight) {
      if (!p.duplicate()) {
        wrote = true;
        log.logEnd = Math.max(log.logEnd, p.committedAt());
      }
    }
    if (wrote) {
      log.latestEpoch = inFlightEpoch;
    }
    if (leading) {
      leader.advanceHighWatermark();
    }
    long now = System.nanoTime();
    // The written batches are only wanted by follower fetches waiting for this write.
    boolean wake = leading && leader.followersWaiting();
    long writeStart = -1;
    List<byte[]> written = wake ? new ArrayList<>(inFlight.size()) : List.of();
    for (PendingProduce p : inFlight) {
      if (wake && !p.duplicate()) {
        writeStart = writeStart < 0 ? p.baseOffset() : writeStart;
        written.add(p.request().batch());
      }
      if (leading) {
        leader.stored(p);
      } else if (p.waitsForReplicas()) {
        p.request().replyTo().tell(ProduceResponse.failed(p.request(), ErrorCode.NOT_LEADER, refusal
            + " (the batch was stored here before leadership moved, but may not be committed)"));
      } else {
        p.request().replyTo().tell(new ProduceResponse(p.request().correlationId(), topic, p.request().partition(),
            ErrorCode.NONE, "", p.baseOffset(), -1, log.logStartOffset));
      }
      int records = p.duplicate() ? 0 : (int) (p.committedAt() - p.baseOffset());
      int bytes = p.duplicate() ? 0 : p.request().batch().length;
      log.sizeBytes += bytes; // exact again at the next bounds refresh
      metrics.produced(topic, "NONE", records, bytes, now - p.receivedNanos());
    }
    inFlight = List.of();
    if (wake) {
      leader.wakeFollowers(writeStart, written);
    }
  }

  /** Answers the write in flight with {@code error} (it may or may not be stored), and the buffered ones. */
  void failAll(ErrorCode inFlightError, String inFlightMessage, ErrorCode error, String message) {
    for (PendingProduce p : inFlight) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), inFlightError, inFlightMessage));
    }
    inFlight = List.of();
    failBuffered(error, message);
  }

  /** Answers the produces not handed to the writer yet: they were not stored. */
  void failBuffered(ErrorCode error, String message) {
    for (PendingProduce p : buffered) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), error, message));
    }
    buffered = new ArrayList<>();
  }
}
