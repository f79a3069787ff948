package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a partition writes a producer snapshot: after the log rolls a segment, every {@code
 * producer-snapshot-interval} while it is written to, and when it stops cleanly. The producer
 * state reflects the batches the front accepted, which run ahead of what is stored, so a snapshot
 * is taken only where the two meet: with a write that holds every accepted batch (written once
 * that write is stored), or when nothing accepted is waiting.
 *
 * <p>Called only from the partition's actor; the journal writes the snapshot on its I/O threads.
 */
final class ProducerSnapshots {

  private static final Logger log = LoggerFactory.getLogger(ProducerSnapshots.class);

  /** Producer state encoded when it reflected exactly the batches below {@code offset}. */
  private record Pending(long offset, byte[] content) {}

  private final StorageEngine engine;
  private final String partitionId;
  private final ProducerStates producers;
  private final long intervalNanos;
  /** The journal's roll count when last looked at: a change asks for a snapshot. */
  private long segmentRollsSeen;
  private boolean wanted;
  /** Taken when the write in flight was sent; written once that write is stored. */
  private Pending ofInFlight;
  /** Offset of the newest snapshot on disk (-1: none), and when it was handed over. */
  private long lastOffset;
  private long lastNanos = System.nanoTime();

  ProducerSnapshots(StorageEngine engine, String partitionId, ProducerStates producers, long lastOffset,
      Duration interval) {
    this.engine = engine;
    this.partitionId = partitionId;
    this.producers = producers;
    this.lastOffset = lastOffset;
    this.intervalNanos = interval.toNanos();
    this.segmentRollsSeen = engine.segmentRolls(partitionId);
  }

  /** A write holding every accepted batch (up to {@code endOffset}) is being sent. */
  void beforeWrite(long endOffset) {
    if (wanted) {
      ofInFlight = new Pending(endOffset, producers.encode());
      wanted = false;
    }
  }

  /** The write in flight is stored: writes the snapshot taken with it, and asks for one after a roll. */
  void afterWrite() {
    if (ofInFlight != null) {
      write(ofInFlight.offset(), ofInFlight.content());
      ofInFlight = null;
    }
    long rolls = engine.segmentRolls(partitionId);
    if (rolls != segmentRollsSeen) {
      segmentRollsSeen = rolls;
      wanted = true;
    }
  }

  /** Writes a wanted snapshot now if nothing accepted is waiting to be stored. */
  void ifAllStored(long nextOffset, long highWatermark) {
    if (wanted && nextOffset == highWatermark) {
      wanted = false; // nothing accepted since: the state is that of the stored end
      write(nextOffset, producers.encode());
    }
  }

  /** The periodic tick: bounds what a start after a crash re-reads (producer-snapshot-interval). */
  void onTick(long nextOffset, long highWatermark) {
    if (highWatermark != lastOffset && System.nanoTime() - lastNanos >= intervalNanos) {
      wanted = true;
      ifAllStored(nextOffset, highWatermark);
    }
  }

  /**
   * The partition stops cleanly with every accepted batch stored: the next start reads no log.
   * (Expiries since an existing snapshot at this offset are applied again at load.)
   */
  void atStop(long nextOffset, long highWatermark) {
    if (nextOffset == highWatermark && nextOffset != lastOffset) {
      write(nextOffset, producers.encode());
    }
  }

  private void write(long offset, byte[] content) {
    lastOffset = offset;
    lastNanos = System.nanoTime();
    try {
      engine.writeProducerSnapshot(partitionId, offset, content).whenComplete((ok, error) -> {
        if (error != null) {
          log.warn("Partition {}: could not write its producer snapshot at offset {} ({}); the next start reads "
              + "more of the log", partitionId, offset, error.getMessage());
        }
      });
    } catch (IllegalStateException closed) {
      log.warn("Partition {}: no producer snapshot at offset {}: {}", partitionId, offset, closed.getMessage());
    }
  }
}
