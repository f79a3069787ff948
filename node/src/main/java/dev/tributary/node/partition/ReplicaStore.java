package dev.tributary.node.partition;

import dev.tributary.journal.JournalEntries;
import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.Failures;
import java.io.NotSerializableException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * A replica's hold on its local log, and the idempotent-producer state with its snapshots
 * (reloaded after a truncation). The log is written two ways:
 *
 * <ul>
 *   <li>The leader's writes go through the {@link PartitionWriter} child (the partition is a
 *       persistent actor whose journal is the log), which numbers them after the highest sequence
 *       number it learned when it started.
 *   <li>A follower's copies go straight to {@link StorageEngine#append}, built by {@link
 *       JournalEntries} as the journal plugin would have built them, and numbered here after the
 *       log's highest sequence number: no actor hops, persistence bookkeeping or plugin round
 *       trip on the path an {@code acks=all} produce waits for.
 * </ul>
 *
 * <p>Copies and truncations leave the writer's sequence number behind the log's, so a writer is
 * then stale: {@link #readyToLead} (and {@link #write}, should it come first) starts a fresh one,
 * which learns the highest sequence number as it starts, before any leader write reaches it. The
 * writer is started only when one is needed: a replica that only follows has none. Used by the
 * leader's {@link GroupCommit} and the {@link FollowerLog}; lives on the partition entity's actor,
 * one write (the writer's or a copy) at a time.
 */
final class ReplicaStore {

  private static final long UNKNOWN = -1;

  private final ActorContext<PartitionEntity.Command> context;
  private final StorageEngine engine;
  private final JournalEntries entries;
  private final String partitionId;
  /** The copies' writer uuid: one per replica incarnation, as a Pekko writer has one per incarnation. */
  private final String copyWriterUuid = UUID.randomUUID().toString();
  private final ActorRef<PartitionWriter.Appended> writeDone;
  private final Duration snapshotInterval;
  private final Duration producerExpiration;
  /** The writer; null until one is needed. */
  private ActorRef<PartitionWriter.Command> writer;
  /** Whether the writer's sequence number is the log's: false with no writer, or after copies or a truncation. */
  private boolean writerCurrent;
  private int writerGeneration;
  /** The log's highest sequence number as far as this replica knows it; {@link #UNKNOWN} once the writer wrote. */
  private long sequenceNr;
  private ProducerStates producers;
  private ProducerSnapshots snapshots;

  ReplicaStore(ActorContext<PartitionEntity.Command> context, StorageEngine engine, String partitionId,
      long highestSequenceNr, ProducerStateLoader.Loaded loaded, ActorRef<PartitionWriter.Appended> writeDone) {
    this.context = context;
    this.engine = engine;
    this.entries = JournalExtension.get(Adapter.toClassic(context.getSystem())).entries();
    this.partitionId = partitionId;
    this.sequenceNr = highestSequenceNr;
    this.writeDone = writeDone;
    var config = context.getSystem().settings().config();
    this.snapshotInterval = config.getDuration("tributary.broker.producer-snapshot-interval");
    this.producerExpiration = config.getDuration("tributary.broker.producer-id-expiration");
    producersReloaded(loaded);
  }

  ProducerStates producers() {
    return producers;
  }

  ProducerSnapshots snapshots() {
    return snapshots;
  }

  /** Makes sure the writer numbers its next write after everything in the log: before leading. */
  void readyToLead() {
    if (!writerCurrent) {
      if (writer != null) {
        stopWriter();
      }
      writer = context.spawn(PartitionWriter.create(partitionId), "writer-" + (++writerGeneration));
      context.watch(writer);
      writerCurrent = true;
    }
  }

  /** One leader write of these batches, by the writer; answered to the entity's write-done adapter. */
  void write(List<BatchAppended> batches) {
    readyToLead();
    sequenceNr = UNKNOWN; // the writer numbers it
    writer.tell(new PartitionWriter.Append(batches, writeDone));
  }

  /**
   * One follower write of these copies, as one atomic write straight to the engine, numbered after
   * the log's highest sequence number (asked of the engine when not known here: after the writer
   * wrote or a truncation). The outcome comes back as {@link FollowerLog.Stored}, with the new
   * highest sequence number for {@link #copiesStored}.
   */
  void writeCopies(List<BatchAppended> batches) {
    writerCurrent = false;
    CompletionStage<Long> highest =
        sequenceNr != UNKNOWN ? CompletableFuture.completedFuture(sequenceNr) : engine.highestSequenceNr(partitionId);
    context.pipeToSelf(highest.thenCompose(previous -> {
      List<JournalEntry> copies;
      try {
        copies = entries.of(batches, previous + 1, copyWriterUuid);
      } catch (NotSerializableException e) {
        return CompletableFuture.failedFuture(e);
      }
      return engine.append(partitionId, copies).thenApply(ok -> previous + copies.size());
    }), (last, error) -> error == null ? new FollowerLog.Stored(last, null)
        : new FollowerLog.Stored(UNKNOWN, Failures.cause(error).toString()));
  }

  /** The copies written last are stored; {@code highestSequenceNr} is the last one's. */
  void copiesStored(long highestSequenceNr) {
    sequenceNr = highestSequenceNr;
  }

  /** The log is being cut: the writer's and this replica's sequence numbers may be above the cut. */
  void truncating() {
    writerCurrent = false;
    sequenceNr = UNKNOWN;
  }

  /** Whether {@code ref} is the writer now (not one stopped as stale). */
  boolean isWriter(ActorRef<?> ref) {
    return writer != null && writer.equals(ref);
  }

  /** Stops the writer without its stop counting as a failure. */
  void stopWriter() {
    if (writer != null) {
      context.unwatch(writer);
      context.stop(writer);
      writer = null;
      writerCurrent = false;
    }
  }

  /** Forgets the writer's stop (the entity stops with it). */
  void unwatchWriter() {
    if (writer != null) {
      context.unwatch(writer);
    }
  }

  /** Producer state as of {@code logEnd}: the newest snapshot at or below it, plus the log after it. */
  CompletionStage<ProducerStateLoader.Loaded> loadProducers(long logStart, long logEnd) {
    return ProducerStateLoader.load(engine, partitionId, Math.max(0, logStart), logEnd, Clock.systemUTC(),
        producerExpiration);
  }

  void producersReloaded(ProducerStateLoader.Loaded loaded) {
    producers = loaded.states();
    snapshots = new ProducerSnapshots(engine, partitionId, producers, loaded.snapshotOffset(), snapshotInterval);
  }
}
