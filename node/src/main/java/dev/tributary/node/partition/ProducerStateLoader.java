package dev.tributary.node.partition;

import dev.tributary.journal.segment.ProducerSnapshot;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.record.RecordBatch;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds idempotent-producer state at partition start, so a batch retried across a broker
 * restart is still recognised and not stored twice: the newest producer snapshot at or below the
 * log end, then the batch headers of the log after it. Without a usable snapshot it reads the
 * whole log from its start (an old producer is never missed). All reads run on the journal's I/O
 * threads.
 */
final class ProducerStateLoader {

  private static final Logger log = LoggerFactory.getLogger(ProducerStateLoader.class);
  private static final int READ_BYTES = 4 * 1024 * 1024;

  /**
   * @param snapshotOffset the offset of the snapshot the state started from, or -1 for none
   * @param batchesScanned batches read from the log after it
   * @param expired producer ids of the snapshot forgotten at load for having expired
   */
  record Loaded(ProducerStates states, long snapshotOffset, long batchesScanned, int expired) {}

  private ProducerStateLoader() {}

  static CompletionStage<Loaded> load(StorageEngine engine, String partitionId, long logStartOffset,
      long logEndOffset, Clock clock, Duration expiration) {
    return engine.latestProducerSnapshot(partitionId, logEndOffset).thenCompose(snapshot -> {
      ProducerStates states = new ProducerStates(clock, expiration);
      Optional<Long> restored = restore(states, partitionId, snapshot);
      return scan(engine, partitionId, restored.orElse(logStartOffset), logEndOffset, states, 0)
          .thenApply(scanned -> new Loaded(states, restored.orElse(-1L), scanned, states.expire()));
    });
  }

  /** Restores the snapshot into {@code states}; its offset, or empty when there is none to use. */
  private static Optional<Long> restore(ProducerStates states, String partitionId, Optional<ProducerSnapshot> snapshot) {
    if (snapshot.isEmpty()) {
      return Optional.empty();
    }
    try {
      states.restore(snapshot.get().content());
      return Optional.of(snapshot.get().offset());
    } catch (IllegalArgumentException e) {
      log.warn("Partition {}: cannot use its producer snapshot at offset {} ({}); reading the whole log instead",
          partitionId, snapshot.get().offset(), e.getMessage());
      return Optional.empty();
    }
  }

  /** Applies the batches in [offset, end) to {@code states}; completes with how many there were. */
  private static CompletionStage<Long> scan(
      StorageEngine engine, String partitionId, long offset, long end, ProducerStates states, long scanned) {
    if (offset >= end) {
      return CompletableFuture.completedFuture(scanned);
    }
    return engine.readRaw(partitionId, offset, end, READ_BYTES).thenCompose(batches -> {
      if (batches.isEmpty()) {
        return CompletableFuture.completedFuture(scanned);
      }
      for (RawBatch raw : batches) {
        RecordBatch batch = RecordBatch.wrap(raw.payload());
        states.onAppend(batch, batch.baseOffset());
      }
      long next = batches.get(batches.size() - 1).nextOffset();
      return scan(engine, partitionId, next, end, states, scanned + batches.size());
    });
  }
}
