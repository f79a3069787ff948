package dev.tributary.node.partition;

import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.segment.LogInfo;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.RetentionPolicy;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.partition.TopicIdGuard.Standing;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.record.CorruptRecordException;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The front of a partition: the sharded entity {@code <topic>-<partition>}. It validates each
 * produce, assigns offsets, checks idempotent-producer sequences and hands batches to its {@link
 * PartitionWriter}; while one write is in flight new produces are buffered and go together into
 * the next write (group commit). Fetches, long polls and offset lookups are served from the
 * in-memory high watermark, with disk reads on the journal's I/O threads, never on this actor.
 *
 * <p>Offsets are rebuilt at start from the storage engine's tail; nothing is replayed. Producer
 * state comes from the newest producer snapshot plus the log after it: the front writes a snapshot
 * after the log rolls a segment, every {@code producer-snapshot-interval} while it is written to,
 * and when it stops cleanly ({@link ProducerSnapshots} decides when). Long polls and disk reads
 * are {@link Fetches}'.
 *
 * <p>When a write fails because the disk is full or broken, the storage engine takes the log
 * offline and the partition goes offline with it: it stays up, refuses produces with {@code
 * KAFKA_STORAGE_ERROR} and the reason, and keeps serving fetches and offset lookups of what was
 * stored. The offsets it handed out for the failed write are void. A restart of the partition or
 * the broker opens the log again and continues after its last complete write.
 */
public final class PartitionEntity extends AbstractBehavior<PartitionEntity.Command> {


  /**
   * The partition's own protocol: each wire request wrapped as it arrives (see {@link #create}),
   * the broker's {@link PartitionControl} commands (which cross nodes, so they are CBOR and pass
   * the edge as they are), and what the front tells itself. A new wire request needs a line at the
   * edge, or it goes unhandled.
   */
  public sealed interface Command permits ProduceRequest, FetchRequest, ListOffsetsRequest, PartitionControl,
      Internal, Fetches.WaitExpired {}

  /** A wire {@link Produce}; local to this actor (the request inside is what crossed the network). */
  record ProduceRequest(Produce request) implements Command, NoSerializationVerificationNeeded {}

  record FetchRequest(Fetch request) implements Command, NoSerializationVerificationNeeded {}

  record ListOffsetsRequest(ListOffsets request) implements Command, NoSerializationVerificationNeeded {}

  /** Messages the front sends itself. */
  private sealed interface Internal extends Command, NoSerializationVerificationNeeded {}

  private record LogLoaded(LogInfo info, ProducerStateLoader.Loaded producers, Optional<String> topicId)
      implements Internal {}

  /** The log could not be opened; {@code reason} says why (a message, never the exception itself). */
  private record LoadFailed(String reason) implements Internal {}

  private record WriteDone(PartitionWriter.Appended appended) implements Internal {}

  private record RefreshBounds() implements Internal {}

  private record BoundsRefreshed(long logStartOffset, long sizeBytes) implements Internal {}

  /**
   * A produce waiting for its write. A retried batch (a duplicate of one accepted earlier) has no
   * write of its own: it is answered with its original {@code baseOffset} when the write in front
   * of it is stored, and its {@code nextOffset} is -1.
   */
  private record PendingProduce(Produce request, long baseOffset, long nextOffset, long receivedNanos,
      boolean duplicate) {}

  private final String topic;
  private final int partition;
  private final String partitionId;
  /** Whether this node's metadata still says the log is this topic's. */
  private final TopicIdWatch topicIds;
  /** The topic was re-created: stopping as soon as the write in flight is done. */
  private boolean restarting;
  private final StorageEngine engine;
  private final MetadataView metadata;
  private final TopicConfig defaults;
  private final ProducerStates producers;
  private final BrokerMetrics metrics;
  private final ActorRef<DataGateway.Command> dataGateway;
  /** This actor as the gateway and sharding see it: it takes wire requests. */
  private final ActorRef<PartitionCommand> wireSelf;
  private final Fetches fetches;
  private final ProducerSnapshots snapshots;
  private long sizeBytes;
  private TopicMetadata configSource;
  private TopicConfig cachedConfig;
  private final ActorRef<PartitionWriter.Appended> writeDoneAdapter;

  private ActorRef<PartitionWriter.Command> writer;
  private long nextOffset;
  private long highWatermark;
  private long logStartOffset;
  private List<PendingProduce> buffered = new ArrayList<>();
  private List<PendingProduce> inFlight = List.of();
  /** Why the log went offline; null while the partition accepts produces. */
  private String offlineReason;
  /** Set when the partition's data is being deleted: nothing more is written for it. */
  private boolean deleted;

  /**
   * The entity: first it loads the log's bounds from the storage engine (stashing requests), then
   * it serves. Nothing is replayed. The wire protocol and the partition's change for different
   * reasons, so each wire request is wrapped into a {@link Command} at this edge (one small
   * allocation, the batch bytes are not copied); the front's own messages pass through untouched.
   */
  public static Behavior<PartitionCommand> create(
      String entityId, MetadataView metadata, TopicConfig defaults,
      ActorRef<DataGateway.Command> dataGateway, BrokerMetrics metrics) {
    return Behaviors.setup(outer -> Behaviors.transformMessages(PartitionCommand.class,
        start(entityId, metadata, defaults, dataGateway, metrics, outer.getSelf()), wire -> wire
            .match(Produce.class, ProduceRequest::new)
            .match(Fetch.class, FetchRequest::new)
            .match(ListOffsets.class, ListOffsetsRequest::new)
            .match(PartitionControl.class, control -> control)));
  }

  private static Behavior<Command> start(
      String entityId, MetadataView metadata, TopicConfig defaults,
      ActorRef<DataGateway.Command> dataGateway, BrokerMetrics metrics, ActorRef<PartitionCommand> wireSelf) {
    return Behaviors.withStash(10_000, stash ->
        Behaviors.withTimers(timers ->
            Behaviors.setup(context -> {
              String partitionId = entityId;
              StorageEngine engine = JournalExtension.get(Adapter.toClassic(context.getSystem())).engine();
              Optional<String> controllersTopicId =
                  metadata.topic(TopicNames.topicOf(partitionId)).map(TopicMetadata::topicId);
              Duration expiration = context.getSystem().settings().config()
                  .getDuration("tributary.broker.producer-id-expiration");
              // A log left offline by an earlier incarnation is opened again: recovery cuts what the
              // failed write left, and appends continue after the last complete write.
              context.pipeToSelf(
                  engine.reopenIfOffline(partitionId).thenCompose(reopened ->
                      TopicIdGuard.claim(engine, partitionId, controllersTopicId)).thenCompose(topicId ->
                      engine.logInfo(partitionId).thenCompose(info -> ProducerStateLoader
                          .load(engine, partitionId, Math.max(0, info.logStartOffset()), Math.max(0, info.logEndOffset()),
                              Clock.systemUTC(), expiration)
                          .thenApply(producers -> new LogLoaded(info, producers, topicId)))),
                  (loaded, error) -> error == null ? loaded : new LoadFailed(reasonOf(error)));
              return Behaviors.receive(Command.class)
                  .onMessage(LogLoaded.class, loaded -> {
                    PartitionEntity entity = new PartitionEntity(
                        context, entityId, engine, metadata, defaults, timers, loaded, metrics, dataGateway, wireSelf);
                    dataGateway.tell(new DataGateway.LocalPartitionStarted(entity.topic, entity.partition, wireSelf));
                    return stash.unstashAll(entity);
                  })
                  .onMessage(LoadFailed.class, failed -> {
                    String reason = failed.reason();
                    context.getLog().error("Partition {} could not load its log: {}; it answers KAFKA_STORAGE_ERROR"
                        + " until the broker restarts", partitionId, reason);
                    return stash.unstashAll(FailedPartition.create(partitionId, engine, reason));
                  })
                  .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                  })
                  .build();
            })));
  }

  private static String reasonOf(Throwable error) {
    Throwable cause = Failures.cause(error);
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }

  private PartitionEntity(
      ActorContext<Command> context,
      String entityId,
      StorageEngine engine,
      MetadataView metadata,
      TopicConfig defaults,
      TimerScheduler<Command> timers,
      LogLoaded loaded,
      BrokerMetrics metrics,
      ActorRef<DataGateway.Command> dataGateway,
      ActorRef<PartitionCommand> wireSelf) {
    super(context);
    this.metrics = metrics;
    this.dataGateway = dataGateway;
    this.wireSelf = wireSelf;
    LogInfo info = loaded.info();
    this.producers = loaded.producers().states();
    this.topic = TopicNames.topicOf(entityId);
    this.partition = TopicNames.partitionOf(entityId);
    this.partitionId = TopicNames.partitionId(topic, partition);
    this.engine = engine;
    this.topicIds = new TopicIdWatch(metadata, topic, partitionId, engine, loaded.topicId());
    this.metadata = metadata;
    this.defaults = defaults;
    this.fetches = new Fetches(engine, partitionId, topic, metrics, timers);
    this.writeDoneAdapter = context.messageAdapter(PartitionWriter.Appended.class, WriteDone::new);
    applyLogSettings();
    nextOffset = Math.max(0, info.logEndOffset());
    highWatermark = nextOffset; // one replica: everything stored is committed
    logStartOffset = info.logStartOffset() < 0 ? nextOffset : info.logStartOffset();
    writer = context.spawn(PartitionWriter.create(partitionId), "writer");
    context.watch(writer);
    timers.startTimerWithFixedDelay(new RefreshBounds(),
        context.getSystem().settings().config().getDuration("tributary.broker.retention-check-interval"));
    sizeBytes = info.sizeBytes();
    ProducerStateLoader.Loaded p = loaded.producers();
    snapshots = new ProducerSnapshots(engine, partitionId, producers, p.snapshotOffset(),
        context.getSystem().settings().config().getDuration("tributary.broker.producer-snapshot-interval"));
    publishBounds();
    metrics.producerStateLoaded(topic, p.batchesScanned());
    metrics.producerIdsExpired(topic, p.expired());
    context.getLog().debug("Partition {} started at offsets [{}, {}); {} producer ids from the snapshot at {} "
            + "and {} batches after it ({} expired)", partitionId, logStartOffset, nextOffset,
        producers.size(), p.snapshotOffset(), p.batchesScanned(), p.expired());
  }

  // ------------------------------------------------------------------ serving

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ProduceRequest.class, produce -> onProduce(produce.request()))
        .onMessage(WriteDone.class, this::onWriteDone)
        .onMessage(FetchRequest.class, fetch -> onFetch(fetch.request()))
        .onMessage(Fetches.WaitExpired.class, expired -> {
          fetches.expire(expired, highWatermark, logStartOffset);
          return this;
        })
        .onMessage(ListOffsetsRequest.class, list -> onListOffsets(list.request()))
        .onMessage(RefreshBounds.class, this::onRefreshBounds)
        .onMessage(BoundsRefreshed.class, refreshed -> {
          logStartOffset = Math.max(logStartOffset, refreshed.logStartOffset());
          if (refreshed.sizeBytes() >= 0) {
            sizeBytes = refreshed.sizeBytes();
          }
          publishBounds();
          return this;
        })
        .onMessage(PartitionControl.Wake.class, wake -> this)
        .onMessage(PartitionControl.OpenDirectRoute.class, open -> {
          dataGateway.tell(new DataGateway.DirectRouteOpen(partitionId, wireSelf));
          return this;
        })
        .onMessage(PartitionControl.DeletePartition.class, this::onDelete)
        .onSignal(Terminated.class, this::onWriterStopped)
        .onSignal(PostStop.class, stopped -> {
          if (!deleted) {
            snapshots.atStop(nextOffset, highWatermark);
          }
          // A write in flight may still land: "may or may not have been stored" (REQUEST_TIMED_OUT,
          // retried idempotently); buffered produces were never written: plainly NOT_LEADER.
          for (PendingProduce p : inFlight) {
            p.request().replyTo().tell(ProduceResponse.failed(p.request(), ErrorCode.REQUEST_TIMED_OUT,
                "the partition stopped while writing the batch; it may or may not have been stored; retry"));
          }
          inFlight = List.of();
          failAll(ErrorCode.NOT_LEADER, "the partition stopped; retry");
          metrics.partitionStopped(topic, partition);
          return this;
        })
        .build();
  }

  // ------------------------------------------------------------------ produce

  private Behavior<Command> onProduce(Produce produce) {
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
    ErrorCode refused = offlineReason != null ? refuseOffline(produce) : validateAndAppend(produce);
    if (refused != ErrorCode.NONE) {
      metrics.produced(topic, refused.name(), 0, 0, System.nanoTime() - received);
    }
    return this;
  }

  /** Appends the produce to the next write, or answers it; returns the error it was answered with. */
  private ErrorCode validateAndAppend(Produce produce) {
    TopicConfig config = config();
    if (produce.batch().length > config.maxMessageBytes()) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.RECORD_TOO_LARGE,
          "the batch has " + produce.batch().length + " bytes; topic " + topic + " allows max.message.bytes="
              + config.maxMessageBytes() + ": send smaller batches or raise the limit"));
      return ErrorCode.RECORD_TOO_LARGE;
    }
    RecordBatch batch;
    try {
      batch = RecordBatch.validate(ByteBuffer.wrap(produce.batch()));
    } catch (CorruptRecordException e) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.CORRUPT_RECORD, e.getMessage()));
      return ErrorCode.CORRUPT_RECORD;
    }
    ProducerStates.Verdict verdict = producers.check(batch);
    if (verdict.error() != ErrorCode.NONE) {
      produce.replyTo().tell(ProduceResponse.failed(produce, verdict.error(), verdict.message()));
      return verdict.error();
    }
    if (verdict.isDuplicate()) {
      replyWhenStored(produce, verdict.duplicateOf());
      return ErrorCode.NONE;
    }
    long baseOffset = nextOffset;
    batch.stampBaseOffset(baseOffset);
    batch.stampLeaderEpoch(metadata.leaderEpoch(topic, partition));
    nextOffset += batch.recordCount();
    producers.onAppend(batch, baseOffset);
    buffered.add(new PendingProduce(produce, baseOffset, nextOffset, System.nanoTime(), false));
    writeBuffered();
    return ErrorCode.NONE;
  }

  /** A retried batch: answer with its original offset once that is stored. */
  private void replyWhenStored(Produce produce, long baseOffset) {
    if (baseOffset < highWatermark) {
      produce.replyTo().tell(ok(produce, baseOffset));
    } else {
      buffered.add(new PendingProduce(produce, baseOffset, -1, System.nanoTime(), true));
    }
  }

  private void writeBuffered() {
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
    if (batches.isEmpty()) {
      onWriteDone(new WriteDone(new PartitionWriter.Appended(0)));
    } else {
      snapshots.beforeWrite(nextOffset); // every accepted batch is in this write
      writer.tell(new PartitionWriter.Append(batches, writeDoneAdapter));
    }
  }

  private Behavior<Command> onWriteDone(WriteDone done) {
    for (PendingProduce p : inFlight) {
      if (p.nextOffset() > highWatermark) {
        highWatermark = p.nextOffset();
      }
    }
    long now = System.nanoTime();
    for (PendingProduce p : inFlight) {
      p.request().replyTo().tell(ok(p.request(), p.baseOffset()));
      int records = p.duplicate() ? 0 : (int) (p.nextOffset() - p.baseOffset());
      int bytes = p.duplicate() ? 0 : p.request().batch().length;
      sizeBytes += bytes; // exact again at the next bounds refresh
      metrics.produced(topic, "NONE", records, bytes, now - p.receivedNanos());
    }
    inFlight = List.of();
    publishBounds();
    fetches.serve(highWatermark, logStartOffset);
    if (restarting) {
      return restartForNewTopic();
    }
    snapshots.afterWrite();
    writeBuffered();
    snapshots.ifAllStored(nextOffset, highWatermark);
    return this;
  }

  private ProduceResponse ok(Produce produce, long baseOffset) {
    return new ProduceResponse(produce.correlationId(), topic, partition, ErrorCode.NONE, "",
        baseOffset, -1, logStartOffset);
  }

  private ErrorCode refuseOffline(Produce produce) {
    produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.KAFKA_STORAGE_ERROR, offlineMessage()));
    return ErrorCode.KAFKA_STORAGE_ERROR;
  }

  private String offlineMessage() {
    return "partition " + partitionId + " is offline: " + offlineReason
        + ". Free space or fix the disk under the broker's data directory, then restart the broker";
  }

  private Behavior<Command> onWriterStopped(Terminated terminated) {
    var offline = engine.offlineReason(partitionId);
    if (offline.isPresent()) {
      // The disk refused a write or fsync. Restarting would only hit the same log again: stay up,
      // refuse produces, keep serving what is stored. The offsets handed out since the last good
      // write are void and never used: nothing more is written until the log is opened again.
      offlineReason = offline.get();
      getContext().getLog().error("Partition {} is offline: {}. Produces are refused with KAFKA_STORAGE_ERROR;"
          + " stored records can still be fetched", partitionId, offlineReason);
      failProduces(ErrorCode.KAFKA_STORAGE_ERROR, offlineMessage());
      return this;
    }
    // The writer stopped for another reason. The offsets handed out since the last good write
    // are void: answer everything pending and restart from what the disk holds.
    getContext().getLog().error("Partition {}: the log write failed; restarting the partition", partitionId);
    failAll(ErrorCode.KAFKA_STORAGE_ERROR, "the broker could not write partition " + partitionId + "; retry");
    return Behaviors.stopped();
  }

  private void failAll(ErrorCode error, String message) {
    failProduces(error, message);
    fetches.failAll(error, message, highWatermark, logStartOffset);
  }

  private void failProduces(ErrorCode error, String message) {
    for (PendingProduce p : inFlight) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), error, message));
    }
    inFlight = List.of();
    failBuffered(error, message);
  }

  /** Answers the produces not handed to the writer yet: they were not stored. */
  private void failBuffered(ErrorCode error, String message) {
    for (PendingProduce p : buffered) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), error, message));
    }
    buffered = new ArrayList<>();
  }

  // ------------------------------------------------------------------ fetch

  private Behavior<Command> onFetch(Fetch fetch) {
    Standing standing = topicIds.standing();
    if (standing != Standing.SERVING) {
      fetch.replyTo().tell(FetchResponse.failed(fetch, ErrorCode.NOT_LEADER, standing.refusal, highWatermark,
          logStartOffset));
      return standing == Standing.RECREATED ? restartForNewTopic() : this;
    }
    long started = System.nanoTime();
    if (fetch.maxBytes() <= 0 || fetch.maxBytes() > TopicConfig.MAX_MESSAGE_BYTES_LIMIT) {
      fetches.answer(fetch, FetchResponse.failed(fetch, ErrorCode.INVALID_REQUEST,
          "maxBytes must be between 1 and " + TopicConfig.MAX_MESSAGE_BYTES_LIMIT + ", got " + fetch.maxBytes(),
          highWatermark, logStartOffset), started);
      return this;
    }
    if (fetch.offset() < logStartOffset || fetch.offset() > highWatermark) {
      fetches.answer(fetch, FetchResponse.failed(fetch, ErrorCode.OFFSET_OUT_OF_RANGE,
          "offset " + fetch.offset() + " is outside [" + logStartOffset + ", " + highWatermark
              + "] of " + partitionId + ": seek to earliest or latest",
          highWatermark, logStartOffset), started);
      return this;
    }
    if (fetch.offset() == highWatermark) {
      if (fetch.maxWaitMs() <= 0) {
        fetches.answer(fetch, records(fetch, List.of()), started);
      } else {
        fetches.park(fetch, started);
      }
      return this;
    }
    fetches.read(fetch, started, highWatermark, logStartOffset);
    return this;
  }

  private FetchResponse records(Fetch fetch, List<RawBatch> batches) {
    return Fetches.records(fetch, batches, highWatermark, logStartOffset);
  }

  private void publishBounds() {
    metrics.partitionBounds(topic, partition, logStartOffset, highWatermark, sizeBytes);
  }

  // ------------------------------------------------------------------ offsets, retention, delete

  private Behavior<Command> onListOffsets(ListOffsets request) {
    Standing standing = topicIds.standing();
    if (standing != Standing.SERVING) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NOT_LEADER, standing.refusal, -1,
          logStartOffset, highWatermark, sizeBytes));
      return standing == Standing.RECREATED ? restartForNewTopic() : this;
    }
    long hw = highWatermark;
    long start = logStartOffset;
    long size = sizeBytes;
    if (request.timestamp() == ListOffsets.EARLIEST || request.timestamp() == ListOffsets.LATEST) {
      long offset = request.timestamp() == ListOffsets.EARLIEST ? start : hw;
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NONE, "", offset, start, hw, size));
    } else if (request.timestamp() < 0) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.INVALID_REQUEST,
          "timestamp must be -2 (earliest), -1 (latest) or >= 0, got " + request.timestamp(), -1, start, hw, size));
    } else {
      engine.offsetForTimestamp(partitionId, request.timestamp()).whenComplete((found, error) -> {
        if (error != null) {
          request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.KAFKA_STORAGE_ERROR,
              error.toString(), -1, start, hw, size));
        } else {
          long offset = found.isPresent() && found.getAsLong() < hw ? found.getAsLong() : -1;
          request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NONE, "", offset, start, hw, size));
        }
      });
    }
    return this;
  }

  private Behavior<Command> onRefreshBounds(RefreshBounds refresh) {
    applyLogSettings();
    metrics.producerIdsExpired(topic, producers.expire());
    snapshots.onTick(nextOffset, highWatermark);
    getContext().pipeToSelf(engine.enforceRetention(partitionId), (info, error) -> error == null
        ? new BoundsRefreshed(info.logStartOffset() >= 0 ? info.logStartOffset() : logStartOffset, info.sizeBytes())
        : new BoundsRefreshed(logStartOffset, -1));
    return this;
  }

  private Behavior<Command> onDelete(PartitionControl.DeletePartition delete) {
    deleted = true;
    failAll(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic + " was deleted");
    getContext().unwatch(writer);
    getContext().stop(writer);
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
      failBuffered(ErrorCode.NOT_LEADER, Standing.RECREATED.refusal);
    }
    if (!inFlight.isEmpty()) {
      return this; // stopped by onWriteDone, or by the writer's end
    }
    getContext().unwatch(writer);
    return Behaviors.stopped();
  }

  /** The topic's effective config; parsed again only when the metadata snapshot of the topic changes. */
  private TopicConfig config() {
    TopicMetadata current = metadata.topic(topic).orElse(null);
    if (current != configSource || cachedConfig == null) {
      configSource = current;
      cachedConfig = current == null ? defaults : defaults.with(current.configs());
    }
    return cachedConfig;
  }

  /** Hands the topic's retention and segment size to the journal (at start and every bounds refresh). */
  private void applyLogSettings() {
    TopicConfig c = config();
    engine.setRetention(partitionId, new RetentionPolicy(c.retentionBytes(), c.retentionMs()));
    engine.setSegmentBytes(partitionId, c.segmentBytes());
  }
}
