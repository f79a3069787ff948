package dev.tributary.node.partition;

import dev.tributary.node.TopicConfig;

import dev.tributary.journal.segment.OffsetOutOfRangeException;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.util.ByteString;

/**
 * Serves a partition's accepted fetches: disk reads on the journal's I/O threads (answered from
 * there), and long polls, the fetches at the high watermark that wait for data or their {@code
 * maxWaitMs}. The partition checks a fetch and passes its bounds in; this class never reads the
 * partition's state.
 *
 * <p>{@link #answer} and what {@link #read} does later run on any thread; everything else only on
 * the partition's actor.
 */
final class Fetches {

  /** A long poll's wait is over: answer it with no records. */
  record WaitExpired(long waiterId) implements PartitionEntity.Command, NoSerializationVerificationNeeded {}

  private record Waiter(long id, Fetch fetch, long startedNanos) {}

  private final StorageEngine engine;
  private final String partitionId;
  private final String topic;
  private final BrokerMetrics metrics;
  private final TimerScheduler<PartitionEntity.Command> timers;
  private final List<Waiter> waiters = new ArrayList<>();
  private long nextWaiterId;

  Fetches(StorageEngine engine, String partitionId, String topic, BrokerMetrics metrics,
      TimerScheduler<PartitionEntity.Command> timers) {
    this.engine = engine;
    this.partitionId = partitionId;
    this.topic = topic;
    this.metrics = metrics;
    this.timers = timers;
  }

  /**
   * Serves a consumer's fetch the leader accepted: refused outside [log start, log end] (Kafka's
   * range is the log end, not the high watermark: a new leader's high watermark may trail a
   * consumer's position for a moment, and that consumer waits rather than resets); at or above
   * the high watermark, answered empty or parked as a long poll; else read below the high watermark.
   * With {@code toLogEnd}, the leader's own read ({@link ReplicaCommand.ReadToLogEnd}).
   */
  void accept(Fetch fetch, boolean toLogEnd, long hw, long logEnd, long start) {
    if (toLogEnd) {
      readToLogEnd(fetch, hw, logEnd, start);
      return;
    }
    long started = System.nanoTime();
    if (fetch.maxBytes() <= 0 || fetch.maxBytes() > TopicConfig.MAX_MESSAGE_BYTES_LIMIT) {
      answer(fetch, FetchResponse.failed(fetch, ErrorCode.INVALID_REQUEST,
          "maxBytes must be between 1 and " + TopicConfig.MAX_MESSAGE_BYTES_LIMIT + ", got " + fetch.maxBytes(),
          hw, start), started);
    } else if (fetch.offset() < start || fetch.offset() > Math.max(hw, logEnd)) {
      answer(fetch, FetchResponse.failed(fetch, ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + fetch.offset()
          + " is outside [" + start + ", " + logEnd + "] of " + partitionId + ": seek to earliest or latest",
          hw, start), started);
    } else if (fetch.offset() >= hw && fetch.maxWaitMs() <= 0) {
      answer(fetch, records(fetch, List.of(), hw, start), started);
    } else if (fetch.offset() >= hw) {
      park(fetch, started);
    } else {
      read(fetch, started, hw, start);
    }
  }

  /** Answers a fetch and counts it. Safe from any thread. */
  void answer(Fetch fetch, FetchResponse response, long startedNanos) {
    fetch.replyTo().tell(response);
    metrics.fetched(topic, response.error().name(), response.records().size(), System.nanoTime() - startedNanos);
  }

  /** Holds a fetch at the high watermark until data arrives ({@link #serve}) or its wait is over. */
  void park(Fetch fetch, long startedNanos) {
    long id = nextWaiterId++;
    waiters.add(new Waiter(id, fetch, startedNanos));
    timers.startSingleTimer(id, new WaitExpired(id), Duration.ofMillis(fetch.maxWaitMs()));
  }

  /** The high watermark moved: reads for every long poll below it. */
  void serve(long highWatermark, long logStartOffset) {
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (w.fetch().offset() < highWatermark) {
        it.remove();
        timers.cancel(w.id());
        read(w.fetch(), w.startedNanos(), highWatermark, logStartOffset);
      }
    }
  }

  void expire(WaitExpired expired, long highWatermark, long logStartOffset) {
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (w.id() == expired.waiterId()) {
        it.remove();
        answer(w.fetch(), records(w.fetch(), List.of(), highWatermark, logStartOffset), w.startedNanos());
      }
    }
  }

  /** Answers every long poll with {@code error}. */
  void failAll(ErrorCode error, String message, long highWatermark, long logStartOffset) {
    for (Waiter w : waiters) {
      w.fetch().replyTo().tell(FetchResponse.failed(w.fetch(), error, message, highWatermark, logStartOffset));
    }
    waiters.clear();
  }

  /** Serves a {@link ReplicaCommand.ReadToLogEnd} the leader accepted: a read below the log end, or nothing at it. */
  private void readToLogEnd(Fetch fetch, long hw, long logEnd, long start) {
    long started = System.nanoTime();
    if (fetch.offset() < start || fetch.offset() > logEnd) {
      answer(fetch, FetchResponse.failed(fetch, ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + fetch.offset()
          + " is outside [" + start + ", " + logEnd + "] of " + partitionId, hw, start), started);
    } else if (fetch.offset() == logEnd) {
      answer(fetch, records(fetch, List.of(), hw, start), started);
    } else {
      read(fetch, started, logEnd, hw, start);
    }
  }

  /** Reads on the journal's I/O threads and answers from there: nothing of it runs on the actor. */
  void read(Fetch fetch, long startedNanos, long hw, long start) {
    read(fetch, startedNanos, hw, hw, start);
  }

  /** Reads below {@code upTo}; the answer reports {@code hw}. */
  private void read(Fetch fetch, long startedNanos, long upTo, long hw, long start) {
    engine.readRaw(partitionId, fetch.offset(), upTo, fetch.maxBytes()).whenComplete((batches, error) -> {
      if (error == null) {
        answer(fetch, records(fetch, batches, hw, start), startedNanos);
      } else {
        Throwable cause = Failures.cause(error);
        if (cause instanceof OffsetOutOfRangeException out) {
          answer(fetch, FetchResponse.failed(fetch, ErrorCode.OFFSET_OUT_OF_RANGE, out.getMessage(),
              hw, out.logStartOffset()), startedNanos);
        } else {
          answer(fetch, FetchResponse.failed(fetch, ErrorCode.KAFKA_STORAGE_ERROR,
              "could not read " + partitionId + ": " + cause, hw, start), startedNanos);
        }
      }
    });
  }

  static FetchResponse records(Fetch fetch, List<RawBatch> batches, long hw, long start) {
    return new FetchResponse(fetch.correlationId(), fetch.topic(), fetch.partition(), ErrorCode.NONE, "",
        hw, start, joined(batches));
  }

  /**
   * Stored batches' bytes end to end, as a fetch answer carries them: joined, not copied, so a
   * Kafka fetch goes from the buffers the journal read into straight to the socket's.
   */
  static ByteString joined(List<RawBatch> batches) {
    ByteString all = ByteString.emptyByteString();
    for (RawBatch b : batches) {
      all = all.concat(b.bytes());
    }
    return all;
  }

  /** {@code batches} (of {@code size} bytes in all) as one array. */
  static byte[] concatenateArrays(List<byte[]> batches, int size) {
    if (batches.size() == 1) {
      return batches.get(0);
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (byte[] b : batches) {
      System.arraycopy(b, 0, bytes, at, b.length);
      at += b.length;
    }
    return bytes;
  }

  /** Stored batches' bytes end to end in one array, as a replica fetch carries them (one copy). */
  static byte[] concatenate(List<RawBatch> batches) {
    return joined(batches).toArray();
  }
}
