package dev.tributary.node.partition;

import dev.tributary.journal.segment.EpochEndOffset;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.node.replication.ReplicaFetchers;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.record.CorruptRecordException;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The follower role of a partition's replica: it stores what this broker's {@link
 * dev.tributary.node.replication.ReplicaFetcher} copied from the leader, batch for batch with the
 * leader's offsets and epochs, straight to the storage engine ({@link ReplicaStore#writeCopies}),
 * and keeps idempotent-producer state from them, so this replica can deduplicate retries once it
 * leads. When the leader says the logs diverged, it truncates to where they agree, as Kafka's
 * follower does: to the end of the diverging epoch in both logs (never to the high watermark,
 * which would drop data the leader may still have committed), then fetches again, which checks
 * the next epoch down if needed. Its high watermark is the leader's, capped at its own log end.
 * One store or truncation at a time; lives on the partition entity's actor.
 */
final class FollowerLog {

  sealed interface Message extends PartitionEntity.Command, NoSerializationVerificationNeeded {}

  record OwnEpochFound(ReplicaCommand.Apply apply, EpochEndOffset own, String failure) implements Message {}

  record Truncated(ReplicaCommand.Apply apply, long logEnd, int latestEpoch, ProducerStateLoader.Loaded producers,
      String failure) implements Message {}

  /**
   * The copies {@link ReplicaStore#writeCopies} appended are stored, the last numbered {@code
   * sequenceNr}; or, with a {@code failure}, they may not be.
   */
  record Stored(long sequenceNr, String failure) implements Message {}

  private final ActorContext<PartitionEntity.Command> context;
  private final StorageEngine engine;
  private final String partitionId;
  private final LogPosition log;
  private final String topic;
  private final int partition;
  private final ReplicaStore store;
  private final ActorRef<PartitionEntity.Command> replica;
  private int leader = -1;
  private int epoch = -1;
  /** The apply being stored or truncated by; null when none. */
  private ReplicaCommand.Apply busy;
  private long busyEnd;
  private int busyEpoch;
  private long busyLeaderHighWatermark;
  private int busyBytes;
  /** The highest leader log start this replica was asked to follow. */
  private long trimAsked = -1;

  FollowerLog(ActorContext<PartitionEntity.Command> context, StorageEngine engine, String partitionId, String topic,
      int partition, LogPosition log, ReplicaStore store, ActorRef<PartitionEntity.Command> replica) {
    this.context = context;
    this.engine = engine;
    this.partitionId = partitionId;
    this.log = log;
    this.topic = topic;
    this.partition = partition;
    this.store = store;
    this.replica = replica;
  }

  int leader() {
    return leader;
  }

  int epoch() {
    return epoch;
  }

  boolean busy() {
    return busy != null;
  }

  /** Follows {@code leader} in {@code epoch} from this log's end (the leader -1: none to follow now). */
  void follow(int leader, int epoch, ActorRef<ReplicaFetchers.Command> fetchers) {
    this.leader = leader;
    this.epoch = epoch;
    if (leader < 0) {
      fetchers.tell(new ReplicaFetchers.Unfollow(topic, partition));
    } else {
      fetchers.tell(new ReplicaFetchers.Follow(leader, position(epoch), replica));
    }
  }

  private ReplicaCommand.FetchPosition position(int forEpoch) {
    return new ReplicaCommand.FetchPosition(topic, partition, forEpoch, log.logEnd, log.latestEpoch);
  }

  /** An answer that came when this replica no longer follows: where it stands, nothing stored. */
  void refuse(ReplicaCommand.Apply apply) {
    apply.replyTo().tell(position(apply.leaderEpoch()));
  }

  void apply(ReplicaCommand.Apply apply) {
    PartitionData data = apply.data();
    if (apply.leaderEpoch() != epoch || busy != null || apply.fetchOffset() != log.logEnd) {
      // Fetched in another epoch or from another position (an answer overtaken by a truncation or
      // a new leader): storing it could leave a gap or mix two histories. Fetch again from here.
      apply.replyTo().tell(position(apply.leaderEpoch()));
      return;
    }
    if (data.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
      startAtLeaderLogStart(apply);
      return;
    }
    followLeaderLogStart(data.logStartOffset());
    if (data.diverged()) {
      busy = apply;
      if (data.divergingEpoch() < 0) {
        truncate(apply, Math.max(0, Math.min(data.divergingEndOffset(), log.logEnd)));
      } else {
        context.pipeToSelf(engine.endOffsetForEpoch(partitionId, data.divergingEpoch()),
            (own, error) -> new OwnEpochFound(apply, own, error == null ? null : Failures.cause(error).toString()));
      }
      return;
    }
    List<RecordBatch> copies = new ArrayList<>();
    long end = log.logEnd;
    try {
      for (RecordBatch b : RecordBatch.split(ByteBuffer.wrap(data.records()))) {
        RecordBatch batch = RecordBatch.validate(b.buffer());
        if (batch.baseOffset() != end) {
          // Copies must continue the log exactly: anything else is not this fetch's answer.
          context.getLog().warn("Partition {}: a copy from leader {} starts at {}, not at the log end {}; fetching again",
              partitionId, leader, batch.baseOffset(), end);
          copies.clear();
          break;
        }
        copies.add(batch);
        end = batch.nextOffset();
      }
    } catch (CorruptRecordException e) {
      context.getLog().warn("Partition {}: a batch copied from leader {} is corrupt ({}); fetching it again",
          partitionId, leader, e.getMessage());
    }
    List<BatchAppended> batches = new ArrayList<>(copies.size());
    int lastEpoch = log.latestEpoch;
    for (RecordBatch batch : copies) {
      store.producers().onAppend(batch, batch.baseOffset());
      batches.add(new BatchAppended(batch.toByteArray()));
      end = batch.nextOffset();
      lastEpoch = batch.leaderEpoch();
    }
    if (batches.isEmpty()) {
      raiseHighWatermark(data.highWatermark());
      apply.replyTo().tell(position(epoch));
      return;
    }
    busy = apply;
    busyEnd = end;
    busyEpoch = lastEpoch;
    busyLeaderHighWatermark = data.highWatermark();
    busyBytes = 0;
    batches.forEach(b -> busyBytes += b.batch().length);
    log.nextOffset = end;
    store.snapshots().beforeWrite(end);
    store.writeCopies(batches);
  }

  /**
   * The leader's log starts above this log's end (retention removed what this replica lacks, or
   * this disk is empty): as Kafka's {@code truncateFullyAndStartAt}, this log is emptied first,
   * then continues from the leader's log start. An empty log needs nothing on disk for that: the
   * engine takes a first batch above its end, and the log then starts there.
   */
  private void startAtLeaderLogStart(ReplicaCommand.Apply apply) {
    long leaderStart = apply.data().logStartOffset();
    if (leaderStart <= log.logEnd) {
      apply.replyTo().tell(position(epoch)); // not behind it (the leader's log moved meanwhile): fetch again
      return;
    }
    if (log.logEnd > log.logStartOffset) {
      busy = apply;
      context.getLog().info("Partition {}: leader {}'s log starts at {}, past this log's end {}; emptying this log",
          partitionId, leader, leaderStart, log.logEnd);
      truncate(apply, 0);
      return;
    }
    context.getLog().info("Partition {}: copying leader {}'s log from its start {} (this log is empty at {})",
        partitionId, leader, leaderStart, log.logEnd);
    log.logStartOffset = leaderStart;
    log.logEnd = leaderStart;
    log.nextOffset = leaderStart;
    log.latestEpoch = -1;
    raiseHighWatermark(apply.data().highWatermark());
    apply.replyTo().tell(position(epoch));
  }

  /**
   * The log went offline under the write of {@link #apply}: this replica stops following (its
   * fetcher would wait for it, and every partition it fetches from that leader with it).
   */
  void storeFailed(ActorRef<ReplicaFetchers.Command> fetchers) {
    ReplicaCommand.Apply failed = busy;
    busy = null;
    fetchers.tell(new ReplicaFetchers.Unfollow(topic, partition));
    if (failed != null) {
      failed.replyTo().tell(position(failed.leaderEpoch()));
    }
  }

  /** The write of {@link #apply} is stored; {@code sequenceNr} is its last entry's. */
  void stored(long sequenceNr) {
    store.copiesStored(sequenceNr);
    ReplicaCommand.Apply done = busy;
    if (done == null) {
      return; // storeFailed ended it meanwhile: nothing to answer
    }
    busy = null;
    log.logEnd = busyEnd;
    log.latestEpoch = busyEpoch;
    log.sizeBytes += busyBytes; // exact again at the next bounds refresh
    raiseHighWatermark(busyLeaderHighWatermark);
    store.snapshots().afterWrite();
    store.snapshots().ifAllStored(log.nextOffset, log.logEnd);
    done.replyTo().tell(position(done.leaderEpoch()));
  }

  /**
   * As Kafka's follower, the log start follows the leader's when that moves up by more than
   * retention (records deleted below a group log's snapshot): asked of this replica once per
   * new leader log start, done by whole segments and never above this replica's high watermark.
   */
  private void followLeaderLogStart(long leaderStart) {
    if (leaderStart > log.logStartOffset && leaderStart > trimAsked) {
      trimAsked = leaderStart;
      replica.tell(new PartitionControl.DeleteRecordsBelow(topic, partition, leaderStart));
    }
  }

  private void raiseHighWatermark(long leaderHighWatermark) {
    long hw = Math.min(leaderHighWatermark, log.logEnd);
    if (hw > log.highWatermark) {
      log.highWatermark = hw;
    }
  }

  void onOwnEpochFound(OwnEpochFound found) {
    PartitionData data = found.apply().data();
    if (found.failure() != null) {
      busy = null;
      context.getLog().warn("Partition {}: could not look up epoch {} in its log: {}", partitionId,
          data.divergingEpoch(), found.failure());
      found.apply().replyTo().tell(position(found.apply().leaderEpoch()));
      return;
    }
    EpochEndOffset own = found.own();
    long target = 0;
    if (own.isUndefined()) {
      target = Math.min(data.divergingEndOffset(), log.logEnd);
    } else if (own.epoch() == data.divergingEpoch()) {
      target = Math.min(Math.min(data.divergingEndOffset(), own.endOffset()), log.logEnd);
    } else {
      target = Math.min(own.endOffset(), log.logEnd); // this log lacks that epoch: cut to its own older one, then ask again
    }
    truncate(found.apply(), Math.max(0, target));
  }

  /**
   * Cuts the log at {@code offset} on the journal's queue, then reloads producer state. The writer's
   * sequence number may now be above the cut: a fresh one starts before this replica leads.
   */
  private void truncate(ReplicaCommand.Apply apply, long offset) {
    if (apply.data().diverged()) {
      context.getLog().info("Partition {}: the log diverged from leader {}'s (epoch {}); truncating from {} to {}",
          partitionId, leader, apply.data().divergingEpoch(), log.logEnd, offset);
    }
    store.truncating();
    context.pipeToSelf(
        engine.truncateTo(partitionId, offset).thenCompose(end -> engine.latestEpoch(partitionId).thenCompose(latest ->
            store.loadProducers(log.logStartOffset, Math.max(0, end)).thenApply(producers -> new Truncated(apply, Math.max(0, end),
                latest.isPresent() ? latest.getAsInt() : -1, producers, null)))),
        (truncated, error) -> error == null ? truncated
            : new Truncated(apply, log.logEnd, log.latestEpoch, null, Failures.cause(error).toString()));
  }

  /**
   * The cut and the producer reload after it are done. A failed one never comes here: the entity
   * restarts from what the disk holds, or takes the log offline.
   */
  void onTruncated(Truncated truncated) {
    busy = null;
    log.logEnd = truncated.logEnd();
    log.logStartOffset = Math.min(log.logStartOffset, truncated.logEnd()); // emptied: it starts where it ends
    log.nextOffset = truncated.logEnd();
    log.latestEpoch = truncated.latestEpoch();
    log.highWatermark = Math.min(log.highWatermark, truncated.logEnd());
    store.producersReloaded(truncated.producers());
    truncated.apply().replyTo().tell(position(truncated.apply().leaderEpoch()));
  }
}
