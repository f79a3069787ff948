package dev.tributary.node.partition;

import dev.tributary.journal.segment.LogInfo;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.partition.TopicIdGuard.Standing;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.TopicMetadata;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One replica of a partition: the sharded entity {@code <topic>-<partition>@<broker>}, pinned to
 * its broker, whose {@link PartitionWriter} writes the broker's own journal under the persistence
 * id {@code <topic>-<partition>} while it leads (a follower's copies go straight to the storage
 * engine, see {@link ReplicaStore}). The controller's metadata gives it its role, checked again at
 * every {@link PartitionControl.Wake} the broker's replica manager sends when the partition's
 * metadata changes:
 *
 * <ul>
 *   <li><b>Leader.</b> It validates each produce, assigns offsets, checks idempotent-producer
 *       sequences and hands batches to its writer; while one write is in flight new produces are
 *       buffered and go together into the next write (group commit). Its {@link LeaderLog} serves
 *       followers' fetches, keeps the high watermark and answers {@code acks=all} produces once
 *       it covers them. Consumers' fetches, long polls and offset lookups are served below the
 *       high watermark, with disk reads on the journal's I/O threads, never on this actor.
 *   <li><b>Follower.</b> It refuses clients' requests ({@code NOT_LEADER}) and stores what this
 *       broker's fetcher copies from the leader ({@link FollowerLog}).
 * </ul>
 *
 * <p>Offsets are rebuilt at start from the storage engine's tail ({@link PartitionStartup}); nothing is replayed.
 * Producer state comes from the newest producer snapshot plus the log after it ({@link ProducerSnapshots}
 * decides when to write one). When a write fails because the disk is
 * full or broken, the storage engine takes the log offline and the partition goes offline with
 * it: it stays up, refuses produces with {@code KAFKA_STORAGE_ERROR} and the reason, and keeps
 * serving what was stored. A restart of the broker opens the log again.
 */
public final class PartitionEntity extends AbstractBehavior<PartitionEntity.Command> {

  /**
   * The partition's own protocol: each wire request wrapped as it arrives (see {@link #create}), the broker's
   * {@link PartitionControl} commands (which cross nodes, so they are CBOR and pass the edge as they are),
   * replication's {@link ReplicaCommand}s, and what the replica tells itself. A new wire request needs a line at
   * the edge, or it goes unhandled.
   */
  public sealed interface Command permits ProduceRequest, FetchRequest, ListOffsetsRequest, PartitionControl,
      ReplicaCommand, Internal, Fetches.WaitExpired, LeaderLog.Message, FollowerLog.Message, PartitionStartup.Loaded,
      PartitionStartup.LoadFailed {}

  /** A wire {@link Produce}; local to this actor (the request inside is what crossed the network). */
  record ProduceRequest(Produce request) implements Command, NoSerializationVerificationNeeded {}

  /** A wire {@link Fetch}, or ({@code toLogEnd}) this broker's own {@link ReplicaCommand.ReadToLogEnd}. */
  record FetchRequest(Fetch request, boolean toLogEnd) implements Command, NoSerializationVerificationNeeded {}

  record ListOffsetsRequest(ListOffsets request) implements Command, NoSerializationVerificationNeeded {}

  /** Messages the replica sends itself. */
  private sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  private record WriteDone(PartitionWriter.Appended appended) implements Internal {}

  private record RefreshBounds() implements Internal {}

  private record BoundsRefreshed(long logStartOffset, long sizeBytes) implements Internal {}

  private enum Role { LEADER, FOLLOWER }

  private final String topic;
  private final int partition;
  private final String partitionId;
  /** The broker this replica lives on; {@link PartitionShards#UNPLACED} for a partition placed nowhere. */
  private final int self;
  /** Whether this node's metadata still says the log is this topic's. */
  private final TopicIdWatch topicIds;
  /** The topic was re-created: stopping as soon as the write in flight is done. */
  private boolean restarting;
  private final StorageEngine engine;
  private final MetadataView metadata;
  private final TopicSettings settings;
  private final BrokerMetrics metrics;
  private final ActorRef<DataGateway.Command> dataGateway;
  private final ReplicaContext broker;
  /** This actor as the gateway and sharding see it: it takes wire requests. */
  private final ActorRef<PartitionCommand> wireSelf;
  private final Fetches fetches;
  private final LogPosition log;
  private final LeaderLog leader;
  private final FollowerLog follower;
  private final GroupCommit writes;
  private final ReplicaStore store;
  private final ActorRef<PartitionWriter.Appended> writeDoneAdapter;

  private Role role;
  /** A role change waits for the follower's store or truncation in flight. */
  private boolean roleCheckPending;
  /** Following waits for the leader's write in flight: that write must not race the fetcher's. */
  private boolean followPending;
  /** Why the log went offline; null while the partition accepts produces. */
  private String offlineReason;
  /** Set when the partition's data is being deleted: nothing more is written for it. */
  private boolean deleted;

  /**
   * The entity: first it loads the log ({@link PartitionStartup}), then it serves. The wire
   * protocol and the partition's change for different reasons, so each wire request is wrapped
   * into a {@link Command} at this edge (one small allocation, the batch bytes are not copied);
   * the replica's own messages pass through untouched.
   */
  public static Behavior<PartitionCommand> create(String replicaId, MetadataView metadata, TopicConfig defaults,
      ActorRef<DataGateway.Command> dataGateway, BrokerMetrics metrics, ReplicaContext broker) {
    return Behaviors.setup(outer -> Behaviors.transformMessages(PartitionCommand.class,
        PartitionStartup.start(replicaId, metadata, defaults, dataGateway, metrics, broker, outer.getSelf()),
        wire -> wire
            .match(Produce.class, ProduceRequest::new)
            .match(Fetch.class, fetch -> new FetchRequest(fetch, false))
            .match(ReplicaCommand.ReadToLogEnd.class, own -> new FetchRequest(own.fetch(), true))
            .match(ListOffsets.class, ListOffsetsRequest::new)
            .match(PartitionControl.class, control -> control)
            .match(ReplicaCommand.class, replica -> replica)));
  }

  PartitionEntity(ActorContext<Command> context, String replicaId, StorageEngine engine, MetadataView metadata,
      TopicConfig defaults, TimerScheduler<Command> timers, PartitionStartup.Loaded loaded, BrokerMetrics metrics,
      ActorRef<DataGateway.Command> dataGateway, ReplicaContext broker, ActorRef<PartitionCommand> wireSelf) {
    super(context);
    this.metrics = metrics;
    this.dataGateway = dataGateway;
    this.broker = broker;
    this.wireSelf = wireSelf;
    LogInfo info = loaded.info();
    this.partitionId = PartitionShards.partitionIdOf(replicaId);
    this.self = PartitionShards.brokerOf(replicaId);
    this.topic = TopicNames.topicOf(partitionId);
    this.partition = TopicNames.partitionOf(partitionId);
    this.engine = engine;
    this.topicIds = new TopicIdWatch(metadata, topic, partitionId, engine, loaded.topicId());
    this.metadata = metadata;
    this.settings = new TopicSettings(metadata, topic, defaults, engine, partitionId);
    this.fetches = new Fetches(engine, partitionId, topic, metrics, timers);
    this.writeDoneAdapter = context.messageAdapter(PartitionWriter.Appended.class, WriteDone::new);
    settings.applyToLog();
    long end = Math.max(0, info.logEndOffset());
    this.log = new LogPosition(info.logStartOffset() < 0 ? end : info.logStartOffset(), end,
        loaded.latestEpoch().orElse(-1), info.sizeBytes());
    this.leader = new LeaderLog(context, engine, partitionId, topic, partition, log, broker, metrics,
        () -> settings.config().minInsyncReplicas(), metadata::isLive, this::highWatermarkMoved);
    this.store = new ReplicaStore(context, engine, partitionId, info.highestSequenceNr(), loaded.producers(),
        writeDoneAdapter);
    this.follower = new FollowerLog(context, engine, partitionId, topic, partition, log, store, wireSelf.unsafeUpcast());
    this.writes = new GroupCommit(topic, log, leader, metrics, store);
    timers.startTimerWithFixedDelay(new RefreshBounds(),
        context.getSystem().settings().config().getDuration("tributary.broker.retention-check-interval"));
    timers.startTimerWithFixedDelay(LeaderLog.Tick.INSTANCE, LeaderLog.TICK);
    ProducerStateLoader.Loaded p = loaded.producers();
    metrics.producerStateLoaded(topic, p.batchesScanned());
    metrics.producerIdsExpired(topic, p.expired());
    context.getLog().debug("Partition {} started at offsets [{}, {}); {} producer ids from the snapshot at {} "
            + "and {} batches after it ({} expired)", replicaId, log.logStartOffset, end,
        p.states().size(), p.snapshotOffset(), p.batchesScanned(), p.expired());
    applyMetadata();
    publishBounds();
  }

  // ------------------------------------------------------------------ serving

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ProduceRequest.class, produce -> onProduce(produce.request()))
        .onMessage(WriteDone.class, this::onWriteDone)
        .onMessage(FetchRequest.class, fetch -> onFetch(fetch.request(), fetch.toLogEnd()))
        .onMessage(Fetches.WaitExpired.class, expired -> {
          fetches.expire(expired, log.highWatermark, log.logStartOffset);
          return this;
        })
        .onMessage(ListOffsetsRequest.class, list -> onListOffsets(list.request()))
        .onMessage(RefreshBounds.class, this::onRefreshBounds)
        .onMessage(BoundsRefreshed.class, refreshed -> {
          log.logStartOffset = Math.max(log.logStartOffset, refreshed.logStartOffset());
          if (refreshed.sizeBytes() >= 0) {
            log.sizeBytes = refreshed.sizeBytes();
          }
          publishBounds();
          return this;
        })
        .onMessage(PartitionControl.Wake.class, wake -> {
          applyMetadata();
          return this;
        })
        .onMessage(PartitionControl.OpenDirectRoute.class, open -> {
          dataGateway.tell(new DataGateway.DirectRouteOpen(PartitionShards.replicaId(partitionId, self), wireSelf));
          return this;
        })
        .onMessage(PartitionControl.DeletePartition.class, this::onDelete)
        .onMessage(PartitionControl.DeleteRecordsBelow.class, delete -> refreshBoundsAfter(
            engine.deleteRecordsBelow(partitionId, Math.min(delete.offset(), log.highWatermark))))
        .onMessage(ReplicaCommand.Read.class, this::onReplicaRead)
        .onMessage(ReplicaCommand.WatchAppends.class, watch -> {
          if (role == Role.LEADER) {
            leader.watch(watch);
          } else {
            watch.replyTo().tell(ReplicaCommand.Appended.readAgain(topic, partition)); // it reads again and is told
          }
          return this;
        })
        .onMessage(LeaderLog.EpochChecked.class, checked -> {
          if (role == Role.LEADER) {
            leader.onEpochChecked(checked);
          } else {
            checked.read().replyTo().tell(notLeading(checked.read()));
          }
          return this;
        })
        .onMessage(LeaderLog.IsrAnswered.class, answered -> {
          if (role == Role.LEADER) {
            leader.onIsrAnswered(answered);
          }
          return this;
        })
        .onMessage(LeaderLog.Tick.class, tick -> {
          if (role == Role.LEADER) {
            leader.tick();
          }
          return this;
        })
        .onMessage(ReplicaCommand.Apply.class, apply -> {
          if (role == Role.FOLLOWER && offlineReason == null && !writes.writing()) { // one writer at a time
            follower.apply(apply);
          } else {
            follower.refuse(apply);
          }
          return this;
        })
        .onMessage(FollowerLog.OwnEpochFound.class, found -> {
          follower.onOwnEpochFound(found);
          checkRoleIfPending();
          return this;
        })
        .onMessage(FollowerLog.Stored.class, this::onCopiesStored)
        .onMessage(FollowerLog.Truncated.class, truncated -> {
          if (truncated.failure() != null) {
            // The cut may have happened without its producer reload: what is in memory is unknown.
            return onWriteFailed(" (truncating the follower's log: " + truncated.failure() + ")");
          }
          follower.onTruncated(truncated);
          publishBounds();
          checkRoleIfPending();
          return this;
        })
        .onSignal(Terminated.class, t -> store.isWriter(t.getRef()) ? onWriteFailed("") : this) // else a stale writer
        .onSignal(PostStop.class, stopped -> {
          if (!deleted) {
            store.snapshots().atStop(log.nextOffset, log.logEnd);
          }
          if (role == Role.FOLLOWER) {
            follower.follow(-1, follower.epoch(), broker.fetchers());
          }
          // A write in flight may still land: "may or may not have been stored" (REQUEST_TIMED_OUT, retried
          // idempotently); buffered produces were never written: plainly NOT_LEADER.
          writes.failAll(ErrorCode.REQUEST_TIMED_OUT,
              "the partition stopped while writing the batch; it may or may not have been stored; retry",
              ErrorCode.NOT_LEADER, "the partition stopped; retry");
          leader.resign(ErrorCode.REQUEST_TIMED_OUT,
              "the partition stopped before the batch was committed; it may or may not survive; retry");
          failAll(ErrorCode.NOT_LEADER, "the partition stopped; retry");
          metrics.partitionStopped(topic, partition);
          return this;
        })
        .build();
  }

  // ------------------------------------------------------------------ roles

  /** Takes the role the controller's metadata gives this replica now. */
  private void applyMetadata() {
    if (self == PartitionShards.UNPLACED) {
      if (role != Role.LEADER) {
        becomeLeader(null, 0); // one replica, placed nowhere: it leads, alone
      }
      return;
    }
    PartitionInfo info = metadata.topic(topic).flatMap(t -> t.partition(partition)).orElse(null);
    if (info == null) {
      if (role == null) {
        becomeFollower(PartitionInfo.NO_LEADER, -1); // nothing known yet: serve nothing until told
      }
      return;
    }
    if (info.leader() == self) {
      if (role != Role.LEADER || leader.epoch() != info.leaderEpoch()) {
        becomeLeader(info, info.leaderEpoch());
      } else {
        leader.committed(info);
        if (leader.advanceHighWatermark()) {
          highWatermarkMoved();
        }
      }
    } else if (role != Role.FOLLOWER || follower.leader() != info.leader() || follower.epoch() != info.leaderEpoch()) {
      becomeFollower(info.leader(), info.leaderEpoch());
    }
  }

  private void becomeLeader(PartitionInfo info, int epoch) {
    if (follower.busy() || writes.writing()) {
      roleCheckPending = true; // a store, truncation or write is under way: lead once it is done
      return;
    }
    followPending = false;
    if (role == Role.FOLLOWER) {
      broker.fetchers().tell(new dev.tributary.node.replication.ReplicaFetchers.Unfollow(topic, partition));
    }
    role = Role.LEADER;
    store.readyToLead(); // a fresh writer if copies or a truncation left the old one's sequence number behind
    log.nextOffset = log.logEnd;
    leader.lead(self, info, epoch);
    if (leader.advanceHighWatermark()) {
      highWatermarkMoved();
    }
    getContext().getLog().info("Partition {}: broker {} leads it in epoch {} from offset {} (high watermark {}, ISR {})",
        partitionId, self, epoch, log.logEnd, log.highWatermark, leader.isr());
  }

  private void becomeFollower(int leaderId, int epoch) {
    if (follower.busy()) {
      // Its position is known only once the store or truncation under way is done: following the
      // new leader from the old one would mix two histories.
      roleCheckPending = true;
      return;
    }
    boolean wasLeader = role == Role.LEADER;
    role = Role.FOLLOWER;
    String moved = "broker " + self + " no longer leads partition " + partitionId
        + (leaderId >= 0 ? ": broker " + leaderId + " does; refresh metadata and retry there" : ": retry shortly");
    leader.resign(ErrorCode.NOT_LEADER, moved + " (the batch was stored here but may not be committed)");
    writes.failBuffered(ErrorCode.NOT_LEADER, moved);
    fetches.failAll(ErrorCode.NOT_LEADER, moved, log.highWatermark, log.logStartOffset);
    if (wasLeader || leaderId >= 0) {
      getContext().getLog().info("Partition {}: broker {} follows broker {} in epoch {} from offset {}", partitionId,
          self, leaderId, epoch, log.logEnd);
    }
    if (!writes.writing()) {
      follower.follow(leaderId, epoch, broker.fetchers());
    } else {
      followPending = true; // after the write in flight: then this log's end is known
      follower.follow(-1, epoch, broker.fetchers());
    }
  }

  private void checkRoleIfPending() {
    if (roleCheckPending && !follower.busy()) {
      roleCheckPending = false;
      applyMetadata();
    }
  }

  private Behavior<Command> onReplicaRead(ReplicaCommand.Read read) {
    if (role == Role.LEADER) {
      leader.read(read);
    } else {
      read.replyTo().tell(notLeading(read));
    }
    return this;
  }

  private PartitionData notLeading(ReplicaCommand.Read read) {
    return PartitionData.failed(read.fetch(), ErrorCode.NOT_LEADER, "broker " + self + " does not lead "
        + partitionId + (follower.leader() >= 0 ? "; broker " + follower.leader() + " does" : ""));
  }

  private void highWatermarkMoved() {
    publishBounds();
    fetches.serve(log.highWatermark, log.logStartOffset);
  }

  // ------------------------------------------------------------------ produce

  private Behavior<Command> onProduce(Produce produce) {
    if (role != Role.LEADER) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.NOT_LEADER, followerRefusal()));
      return this;
    }
    ErrorCode epoch = leader.epochCheck(produce.leaderEpoch());
    if (epoch != ErrorCode.NONE) {
      produce.replyTo().tell(ProduceResponse.failed(produce, epoch, leader.epochRefusal(produce.leaderEpoch())));
      return this;
    }
    Standing standing = topicIds.standing();
    if (standing != Standing.SERVING) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.NOT_LEADER, standing.refusal));
      return standing == Standing.RECREATED ? restartForNewTopic() : this;
    }
    if (produce.expiredAt(System.currentTimeMillis())) {
      // Its client has stopped waiting (it waits a little longer than the timeout) and reports
      // "not acknowledged": storing it now would be a surprise, and a retry a duplicate. Dropped
      // unanswered (an answer would find no one); counted, so it shows.
      getContext().getLog().debug("Partition {}: dropped a produce {} ms past its deadline", partitionId,
          System.currentTimeMillis() - produce.deadlineMs());
      metrics.expired(topic, "produce");
      return this;
    }
    long received = System.nanoTime();
    ErrorCode refused = offlineReason != null ? refuseOffline(produce) : writes.accept(produce, settings.config());
    if (refused != ErrorCode.NONE) {
      metrics.produced(topic, refused.name(), 0, 0, System.nanoTime() - received);
    } else if (!follower.busy()) {
      writes.writeIfIdle();
    }
    return this;
  }

  private String followerRefusal() {
    return "broker " + self + " does not lead partition " + partitionId
        + (follower.leader() >= 0 ? "; broker " + follower.leader() + " does" : "") + ": refresh metadata and retry";
  }

  private Behavior<Command> onWriteDone(WriteDone done) {
    boolean leading = role == Role.LEADER;
    writes.stored(leading, followerRefusal());
    highWatermarkMoved();
    if (restarting) {
      return restartForNewTopic();
    }
    store.snapshots().afterWrite();
    if (followPending) {
      followPending = false;
      int leaderNow = follower.leader() >= 0 ? follower.leader() : metadata.leaderOf(topic, partition);
      follower.follow(leaderNow, follower.epoch(), broker.fetchers());
    }
    writes.writeIfIdle();
    store.snapshots().ifAllStored(log.nextOffset, log.logEnd);
    return this;
  }

  private ErrorCode refuseOffline(Produce produce) {
    produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.KAFKA_STORAGE_ERROR, offlineMessage()));
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }

  private String offlineMessage() {
    return "partition " + partitionId + " is offline: " + offlineReason
        + ". Free space or fix the disk under the broker's data directory, then restart the broker";
  }

  /** The follower's copies are stored, or failed as a writer fails. */
  private Behavior<Command> onCopiesStored(FollowerLog.Stored stored) {
    if (stored.failure() != null) {
      return onWriteFailed(" (" + stored.failure() + ")");
    }
    follower.stored(stored.sequenceNr());
    publishBounds();
    checkRoleIfPending();
    return this;
  }

  /** A write failed; {@code cause} is how, for the log ("" when the writer's own failure says it). */
  private Behavior<Command> onWriteFailed(String cause) {
    var offline = engine.offlineReason(partitionId);
    if (offline.isPresent()) {
      // The disk refused a write or fsync. Restarting would only hit the same log again: stay up,
      // refuse produces, keep serving what is stored. The offsets handed out since the last good
      // write are void and never used: nothing more is written until the log is opened again.
      offlineReason = offline.get();
      getContext().getLog().error("Partition {} is offline: {}. Produces are refused with KAFKA_STORAGE_ERROR;"
          + " stored records can still be fetched", partitionId, offlineReason);
      writes.failAll(ErrorCode.KAFKA_STORAGE_ERROR, offlineMessage(), ErrorCode.KAFKA_STORAGE_ERROR, offlineMessage());
      if (role == Role.FOLLOWER) {
        follower.storeFailed(broker.fetchers()); // it stops copying; its leader drops it from the ISR in time
      }
      return this;
    }
    // The write failed for another reason (the writer stopped, or the engine refused the copies).
    // The offsets handed out since the last good write are void: answer everything pending and
    // restart from what the disk holds.
    getContext().getLog().error("Partition {}: the log write failed{}; restarting the partition", partitionId, cause);
    failAll(ErrorCode.KAFKA_STORAGE_ERROR, "the broker could not write partition " + partitionId + "; retry");
    return Behaviors.stopped();
  }

  private void failAll(ErrorCode error, String message) {
    writes.failAll(error, message, error, message);
    fetches.failAll(error, message, log.highWatermark, log.logStartOffset);
  }

  // ------------------------------------------------------------------ fetch

  private Behavior<Command> onFetch(Fetch fetch, boolean toLogEnd) {
    if (role != Role.LEADER) {
      fetch.replyTo().tell(FetchResponse.failed(fetch, ErrorCode.NOT_LEADER, followerRefusal(), -1, -1));
      return this;
    }
    ErrorCode epoch = leader.epochCheck(fetch.leaderEpoch());
    long hw = log.highWatermark;
    long start = log.logStartOffset;
    if (epoch != ErrorCode.NONE) {
      fetch.replyTo().tell(FetchResponse.failed(fetch, epoch, leader.epochRefusal(fetch.leaderEpoch()), hw, start));
      return this;
    }
    Standing standing = topicIds.standing();
    if (standing != Standing.SERVING) {
      fetch.replyTo().tell(FetchResponse.failed(fetch, ErrorCode.NOT_LEADER, standing.refusal, hw, start));
      return standing == Standing.RECREATED ? restartForNewTopic() : this;
    }
    fetches.accept(fetch, toLogEnd, hw, log.logEnd, start);
    return this;
  }

  private void publishBounds() {
    metrics.partitionBounds(topic, partition, log.logStartOffset, log.highWatermark, log.logEnd, log.sizeBytes);
  }

  // ------------------------------------------------------------------ offsets, retention, delete

  private Behavior<Command> onListOffsets(ListOffsets request) {
    if (role != Role.LEADER) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NOT_LEADER, followerRefusal(), -1,
          -1, -1, -1));
      return this;
    }
    Standing standing = topicIds.standing();
    if (standing != Standing.SERVING) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NOT_LEADER, standing.refusal, -1,
          log.logStartOffset, log.highWatermark, log.sizeBytes));
      return standing == Standing.RECREATED ? restartForNewTopic() : this;
    }
    OffsetLookups.answer(request, engine, partitionId, log);
    return this;
  }

  private Behavior<Command> onRefreshBounds(RefreshBounds refresh) {
    settings.applyToLog();
    metrics.producerIdsExpired(topic, store.producers().expire());
    store.snapshots().onTick(log.nextOffset, log.logEnd);
    return refreshBoundsAfter(engine.enforceRetention(partitionId));
  }

  /** The log's bounds again once {@code trimmed} (retention, or records deleted below an offset) is done. */
  private Behavior<Command> refreshBoundsAfter(java.util.concurrent.CompletionStage<LogInfo> trimmed) {
    long start = log.logStartOffset;
    getContext().pipeToSelf(trimmed, (info, error) -> error == null
        ? new BoundsRefreshed(info.logStartOffset() >= 0 ? info.logStartOffset() : start, info.sizeBytes())
        : new BoundsRefreshed(start, -1));
    return this;
  }

  private Behavior<Command> onDelete(PartitionControl.DeletePartition delete) {
    deleted = true;
    failAll(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic + " was deleted");
    leader.resign(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic + " was deleted");
    store.stopWriter();
    ActorRef<Done> replyTo = delete.replyTo();
    engine.deleteLog(partitionId).whenComplete((ok, error) -> replyTo.tell(Done.getInstance()));
    return Behaviors.stopped();
  }

  /**
   * Stops without serving once no write is in flight: the request that found the change (by its
   * handler), later ones and buffered produces are answered NOT_LEADER so clients retry. A write
   * in flight is let finish first: stopping under it would let it land in the fresh log the next
   * incarnation opens after its {@link TopicIdGuard} set this one aside.
   */
  private Behavior<Command> restartForNewTopic() {
    if (!restarting) {
      restarting = true;
      getContext().getLog().info("Partition {}: topic {} now has id {}; restarting the partition on its own log",
          partitionId, topic, metadata.topic(topic).map(TopicMetadata::topicId).orElse("?"));
      writes.failBuffered(ErrorCode.NOT_LEADER, Standing.RECREATED.refusal);
    }
    if (writes.writing()) {
      return this; // stopped by onWriteDone, or by the writer's end
    }
    store.unwatchWriter();
    return Behaviors.stopped();
  }
}
