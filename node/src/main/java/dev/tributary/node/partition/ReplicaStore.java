package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * A replica's hold on its local log: the {@link PartitionWriter} child that writes it (started
 * again after a truncation, since the old one's sequence numbers are above the cut), and the
 * idempotent-producer state with its snapshots (reloaded after a truncation). Used by the leader's
 * {@link GroupCommit} and the {@link FollowerLog}; lives on the partition entity's actor.
 */
final class ReplicaStore {

  private final ActorContext<PartitionEntity.Command> context;
  private final StorageEngine engine;
  private final String partitionId;
  private final ActorRef<PartitionWriter.Appended> writeDone;
  private final Duration snapshotInterval;
  private final Duration producerExpiration;
  private ActorRef<PartitionWriter.Command> writer;
  private int writerGeneration;
  private ProducerStates producers;
  private ProducerSnapshots snapshots;

  ReplicaStore(ActorContext<PartitionEntity.Command> context, StorageEngine engine, String partitionId,
      ProducerStateLoader.Loaded loaded, ActorRef<PartitionWriter.Appended> writeDone) {
    this.context = context;
    this.engine = engine;
    this.partitionId = partitionId;
    this.writeDone = writeDone;
    var config = context.getSystem().settings().config();
    this.snapshotInterval = config.getDuration("tributary.broker.producer-snapshot-interval");
    this.producerExpiration = config.getDuration("tributary.broker.producer-id-expiration");
    producersReloaded(loaded);
    writer = context.spawn(PartitionWriter.create(partitionId), "writer");
    context.watch(writer);
  }

  ProducerStates producers() {
    return producers;
  }

  ProducerSnapshots snapshots() {
    return snapshots;
  }

  /** One write of these batches; answered to the entity's write-done adapter. */
  void write(List<BatchAppended> batches) {
    writer.tell(new PartitionWriter.Append(batches, writeDone));
  }

  /** Whether {@code ref} is the writer now (not one stopped for a truncation). */
  boolean isWriter(ActorRef<?> ref) {
    return writer.equals(ref);
  }

  /** Stops the writer without its stop counting as a failure. */
  void stopWriter() {
    context.unwatch(writer);
    context.stop(writer);
  }

  /** Forgets the writer's stop (the entity stops with it). */
  void unwatchWriter() {
    context.unwatch(writer);
  }

  /** A new writer, after a truncation: it learns the highest sequence number left. */
  void startWriter() {
    writer = context.spawn(PartitionWriter.create(partitionId), "writer-" + (++writerGeneration));
    context.watch(writer);
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
