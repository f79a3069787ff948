package dev.tributary.node.partition;

import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.record.RecordBatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Rebuilds idempotent-producer state at partition start from the tail of the log, so a batch
 * retried across a broker restart is still recognised and not stored twice. Reads only batch
 * headers of the last {@value #WINDOW_RECORDS} records, on the journal's I/O threads.
 */
final class ProducerStateLoader {

  /** Records at the log's end whose producers are remembered across a restart. */
  static final long WINDOW_RECORDS = 100_000;
  private static final int READ_BYTES = 4 * 1024 * 1024;

  private ProducerStateLoader() {}

  static CompletionStage<ProducerStates> load(
      StorageEngine engine, String partitionId, long logStartOffset, long logEndOffset) {
    ProducerStates states = new ProducerStates();
    long from = Math.max(logStartOffset, logEndOffset - WINDOW_RECORDS);
    if (from >= logEndOffset) {
      return CompletableFuture.completedFuture(states);
    }
    return readFrom(engine, partitionId, from, logEndOffset, states);
  }

  private static CompletionStage<ProducerStates> readFrom(
      StorageEngine engine, String partitionId, long offset, long end, ProducerStates states) {
    return engine.readRaw(partitionId, offset, end, READ_BYTES).thenCompose(batches -> {
      if (batches.isEmpty()) {
        return CompletableFuture.completedFuture(states);
      }
      for (RawBatch raw : batches) {
        RecordBatch batch = RecordBatch.wrap(raw.payload());
        states.onAppend(batch, batch.baseOffset());
      }
      long next = batches.get(batches.size() - 1).nextOffset();
      return next >= end ? CompletableFuture.completedFuture(states) : readFrom(engine, partitionId, next, end, states);
    });
  }
}
