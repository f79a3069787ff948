package dev.tributary.node.partition;

import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.segment.LogInfo;
import dev.tributary.journal.segment.OffsetOutOfRangeException;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.RetentionPolicy;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.gateway.GatewayMessages;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GatewayRequest;
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
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * and when it stops cleanly (see {@link #onWriteDone}).
 *
 * <p>When a write fails because the disk is full or broken, the storage engine takes the log
 * offline and the partition goes offline with it: it stays up, refuses produces with {@code
 * KAFKA_STORAGE_ERROR} and the reason, and keeps serving fetches and offset lookups of what was
 * stored. The offsets it handed out for the failed write are void. A restart of the partition or
 * the broker opens the log again and continues after its last complete write.
 */
public final class PartitionEntity extends AbstractBehavior<PartitionCommand> {

  private static final Logger log = LoggerFactory.getLogger(PartitionEntity.class);
  private static final String RESTARTING = "the partition is restarting for its re-created topic; retry";

  /** Messages the front sends itself. */
  private interface Internal extends PartitionCommand, NoSerializationVerificationNeeded {
    @Override
    default String topic() {
      return "";
    }

    @Override
    default int partition() {
      return -1;
    }
  }

  private record LogLoaded(LogInfo info, ProducerStateLoader.Loaded producers, Optional<String> topicId)
      implements Internal {}

  private record LoadFailed(Throwable cause) implements Internal {}

  private record WriteDone(PartitionWriter.Appended appended) implements Internal {}

  private record FetchWaitExpired(long waiterId) implements Internal {}

  private record RefreshBounds() implements Internal {}

  private record BoundsRefreshed(long logStartOffset, long sizeBytes) implements Internal {}

  private record PendingProduce(Produce request, long baseOffset, long nextOffset, long receivedNanos) {}

  private record Waiter(long id, Fetch fetch, long startedNanos) {}

  /** Producer state encoded when it reflected exactly the batches below {@code offset}. */
  private record PendingSnapshot(long offset, byte[] content) {}

  private final String topic;
  private final int partition;
  private final String partitionId;
  /** The id of the topic this partition's log belongs to (empty until the controller's is known). */
  private Optional<String> topicId;
  private final StorageEngine engine;
  private final MetadataView metadata;
  private final TopicConfig defaults;
  private final TimerScheduler<PartitionCommand> timers;
  private final ProducerStates producers;
  private final BrokerMetrics metrics;
  private final ActorRef<GatewayRequest> dataGateway;
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
  private final List<Waiter> waiters = new ArrayList<>();
  private long nextWaiterId;
  /** Why the log went offline; null while the partition accepts produces. */
  private String offlineReason;
  /** The journal's roll count when last looked at: a change asks for a producer snapshot. */
  private long segmentRollsSeen;
  private boolean snapshotWanted;
  /** Taken when the write in flight was sent; written once that write is stored. */
  private PendingSnapshot snapshotOfInFlight;
  /** Set when the partition's data is being deleted: nothing more is written for it. */
  private boolean deleted;
  private final long snapshotIntervalNanos;
  /** Offset of the newest producer snapshot on disk (-1: none), and when it was handed over. */
  private long lastSnapshotOffset;
  private long lastSnapshotNanos = System.nanoTime();

  /**
   * The entity: first it loads the log's bounds from the storage engine (stashing requests), then
   * it serves. Nothing is replayed.
   */
  public static Behavior<PartitionCommand> create(
      String entityId, MetadataView metadata, TopicConfig defaults,
      ActorRef<GatewayRequest> dataGateway, BrokerMetrics metrics) {
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
                  (loaded, error) -> error == null ? loaded : new LoadFailed(error));
              return Behaviors.receive(PartitionCommand.class)
                  .onMessage(LogLoaded.class, loaded -> {
                    PartitionEntity entity =
                        new PartitionEntity(context, entityId, engine, metadata, defaults, timers, loaded, metrics, dataGateway);
                    dataGateway.tell(new GatewayMessages.LocalPartitionStarted(entity.topic, entity.partition, context.getSelf()));
                    return stash.unstashAll(entity);
                  })
                  .onMessage(LoadFailed.class, failed -> {
                    Throwable cause = failed.cause() instanceof CompletionException && failed.cause().getCause() != null
                        ? failed.cause().getCause() : failed.cause();
                    String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
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

  private PartitionEntity(
      ActorContext<PartitionCommand> context,
      String entityId,
      StorageEngine engine,
      MetadataView metadata,
      TopicConfig defaults,
      TimerScheduler<PartitionCommand> timers,
      LogLoaded loaded,
      BrokerMetrics metrics,
      ActorRef<GatewayRequest> dataGateway) {
    super(context);
    this.metrics = metrics;
    this.dataGateway = dataGateway;
    LogInfo info = loaded.info();
    this.producers = loaded.producers().states();
    this.topic = TopicNames.topicOf(entityId);
    this.partition = TopicNames.partitionOf(entityId);
    this.topicId = loaded.topicId();
    this.partitionId = TopicNames.partitionId(topic, partition);
    this.engine = engine;
    this.metadata = metadata;
    this.defaults = defaults;
    this.timers = timers;
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
    segmentRollsSeen = engine.segmentRolls(partitionId);
    snapshotIntervalNanos = context.getSystem().settings().config()
        .getDuration("tributary.broker.producer-snapshot-interval").toNanos();
    publishBounds();
    ProducerStateLoader.Loaded p = loaded.producers();
    lastSnapshotOffset = p.snapshotOffset();
    metrics.producerStateLoaded(topic, p.batchesScanned());
    metrics.producerIdsExpired(topic, p.expired());
    context.getLog().debug("Partition {} started at offsets [{}, {}); {} producer ids from the snapshot at {} "
            + "and {} batches after it ({} expired)", partitionId, logStartOffset, nextOffset,
        producers.size(), p.snapshotOffset(), p.batchesScanned(), p.expired());
  }

  // ------------------------------------------------------------------ serving

  @Override
  public Receive<PartitionCommand> createReceive() {
    return newReceiveBuilder()
        .onMessage(Produce.class, this::onProduce)
        .onMessage(WriteDone.class, this::onWriteDone)
        .onMessage(Fetch.class, this::onFetch)
        .onMessage(FetchWaitExpired.class, this::onFetchWaitExpired)
        .onMessage(ListOffsets.class, this::onListOffsets)
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
          dataGateway.tell(new GatewayMessages.DirectRouteOpen(partitionId, getContext().getSelf()));
          return this;
        })
        .onMessage(PartitionControl.DeletePartition.class, this::onDelete)
        .onSignal(Terminated.class, this::onWriterStopped)
        .onSignal(PostStop.class, stopped -> {
          if (!deleted && nextOffset == highWatermark && nextOffset != lastSnapshotOffset) {
            // Stopping cleanly with every accepted batch stored: the next start reads no log.
            // (Expiries since an existing snapshot at this offset are applied again at load.)
            writeSnapshot(nextOffset, producers.encode());
          }
          failAll(ErrorCode.NOT_LEADER, "the partition stopped; retry");
          metrics.partitionStopped(topic, partition);
          return this;
        })
        .build();
  }

  // ------------------------------------------------------------------ produce

  private Behavior<PartitionCommand> onProduce(Produce produce) {
    if (topicRecreated()) {
      produce.replyTo().tell(ProduceResponse.failed(produce, ErrorCode.NOT_LEADER, RESTARTING));
      return restartForNewTopic();
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
    nextOffset += batch.recordCount();
    producers.onAppend(batch, baseOffset);
    buffered.add(new PendingProduce(produce, baseOffset, nextOffset, System.nanoTime()));
    writeBuffered();
    return ErrorCode.NONE;
  }

  /** A retried batch: answer with its original offset once that is stored. */
  private void replyWhenStored(Produce produce, long baseOffset) {
    if (baseOffset < highWatermark) {
      produce.replyTo().tell(ok(produce, baseOffset));
    } else {
      buffered.add(new PendingProduce(
          new Produce(produce.correlationId(), produce.topic(), produce.partition(), null,
              produce.acks(), produce.timeoutMs(), produce.replyTo()),
          baseOffset, -1, System.nanoTime()));
    }
  }

  private void writeBuffered() {
    if (!inFlight.isEmpty() || buffered.isEmpty()) {
      return;
    }
    List<BatchAppended> batches = new ArrayList<>(buffered.size());
    for (PendingProduce p : buffered) {
      if (p.request().batch() != null) {
        batches.add(new BatchAppended(p.request().batch()));
      }
    }
    inFlight = buffered;
    buffered = new ArrayList<>();
    if (batches.isEmpty()) {
      onWriteDone(new WriteDone(new PartitionWriter.Appended(0)));
    } else {
      if (snapshotWanted) {
        // Every accepted batch is in this write, so the state is exactly that of its end.
        snapshotOfInFlight = new PendingSnapshot(nextOffset, producers.encode());
        snapshotWanted = false;
      }
      writer.tell(new PartitionWriter.Append(batches, writeDoneAdapter));
    }
  }

  private Behavior<PartitionCommand> onWriteDone(WriteDone done) {
    for (PendingProduce p : inFlight) {
      if (p.nextOffset() > highWatermark) {
        highWatermark = p.nextOffset();
      }
    }
    long now = System.nanoTime();
    for (PendingProduce p : inFlight) {
      p.request().replyTo().tell(ok(p.request(), p.baseOffset()));
      byte[] batch = p.request().batch();
      int records = batch == null ? 0 : (int) (p.nextOffset() - p.baseOffset());
      sizeBytes += batch == null ? 0 : batch.length; // exact again at the next bounds refresh
      metrics.produced(topic, "NONE", records, batch == null ? 0 : batch.length, now - p.receivedNanos());
    }
    inFlight = List.of();
    publishBounds();
    serveWaiters();
    snapshotAfterWrite();
    writeBuffered();
    snapshotIfAllStored();
    return this;
  }

  /** Writes a wanted snapshot now if nothing accepted is waiting to be stored. */
  private void snapshotIfAllStored() {
    if (snapshotWanted && nextOffset == highWatermark) {
      snapshotWanted = false; // nothing accepted since: the state is that of the stored end
      writeSnapshot(nextOffset, producers.encode());
    }
  }

  /**
   * Writes the snapshot taken with the write just stored, and asks for one after a segment roll:
   * the producer state reflects the batches this front accepted, which run ahead of what is
   * stored, so a snapshot is taken only when the two meet (see {@link #writeBuffered}).
   */
  private void snapshotAfterWrite() {
    if (snapshotOfInFlight != null) {
      writeSnapshot(snapshotOfInFlight.offset(), snapshotOfInFlight.content());
      snapshotOfInFlight = null;
    }
    long rolls = engine.segmentRolls(partitionId);
    if (rolls != segmentRollsSeen) {
      segmentRollsSeen = rolls;
      snapshotWanted = true;
    }
  }

  /** Hands a producer snapshot to the journal, which writes it on its I/O threads. */
  private void writeSnapshot(long offset, byte[] content) {
    lastSnapshotOffset = offset;
    lastSnapshotNanos = System.nanoTime();
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

  private Behavior<PartitionCommand> onWriterStopped(Terminated terminated) {
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
    for (Waiter w : waiters) {
      w.fetch().replyTo().tell(FetchResponse.failed(w.fetch(), error, message, highWatermark, logStartOffset));
    }
    waiters.clear();
  }

  private void failProduces(ErrorCode error, String message) {
    for (List<PendingProduce> list : List.of(inFlight, buffered)) {
      for (PendingProduce p : list) {
        p.request().replyTo().tell(ProduceResponse.failed(p.request(), error, message));
      }
    }
    inFlight = List.of();
    buffered = new ArrayList<>();
  }

  // ------------------------------------------------------------------ fetch

  private Behavior<PartitionCommand> onFetch(Fetch fetch) {
    if (topicRecreated()) {
      fetch.replyTo().tell(FetchResponse.failed(fetch, ErrorCode.NOT_LEADER, RESTARTING, highWatermark, logStartOffset));
      return restartForNewTopic();
    }
    long started = System.nanoTime();
    if (fetch.maxBytes() <= 0 || fetch.maxBytes() > TopicConfig.MAX_MESSAGE_BYTES_LIMIT) {
      answer(fetch, FetchResponse.failed(fetch, ErrorCode.INVALID_REQUEST,
          "maxBytes must be between 1 and " + TopicConfig.MAX_MESSAGE_BYTES_LIMIT + ", got " + fetch.maxBytes(),
          highWatermark, logStartOffset), started);
      return this;
    }
    if (fetch.offset() < logStartOffset || fetch.offset() > highWatermark) {
      answer(fetch, FetchResponse.failed(fetch, ErrorCode.OFFSET_OUT_OF_RANGE,
          "offset " + fetch.offset() + " is outside [" + logStartOffset + ", " + highWatermark
              + "] of " + partitionId + ": seek to earliest or latest",
          highWatermark, logStartOffset), started);
      return this;
    }
    if (fetch.offset() == highWatermark) {
      if (fetch.maxWaitMs() <= 0) {
        answer(fetch, records(fetch, List.of()), started);
      } else {
        long id = nextWaiterId++;
        waiters.add(new Waiter(id, fetch, started));
        timers.startSingleTimer(id, new FetchWaitExpired(id), Duration.ofMillis(fetch.maxWaitMs()));
      }
      return this;
    }
    read(fetch, started);
    return this;
  }

  /** Answers a fetch and counts it. Safe from any thread. */
  private void answer(Fetch fetch, FetchResponse response, long startedNanos) {
    fetch.replyTo().tell(response);
    metrics.fetched(topic, response.error().name(), response.records().length, System.nanoTime() - startedNanos);
  }

  /** Reads on the journal's I/O threads and answers from there: nothing of it runs on this actor. */
  private void read(Fetch fetch, long startedNanos) {
    long hw = highWatermark;
    long start = logStartOffset;
    engine.readRaw(partitionId, fetch.offset(), hw, fetch.maxBytes()).whenComplete((batches, error) -> {
      if (error == null) {
        answer(fetch, records(fetch, batches, hw, start), startedNanos);
      } else {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
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

  private FetchResponse records(Fetch fetch, List<RawBatch> batches) {
    return records(fetch, batches, highWatermark, logStartOffset);
  }

  private static FetchResponse records(Fetch fetch, List<RawBatch> batches, long hw, long start) {
    int size = 0;
    for (RawBatch b : batches) {
      size += b.payload().remaining();
    }
    byte[] bytes = new byte[size];
    int at = 0;
    for (RawBatch b : batches) {
      ByteBuffer p = b.payload().duplicate();
      int n = p.remaining();
      p.get(bytes, at, n);
      at += n;
    }
    return new FetchResponse(fetch.correlationId(), fetch.topic(), fetch.partition(), ErrorCode.NONE, "",
        hw, start, bytes);
  }

  private void serveWaiters() {
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (w.fetch().offset() < highWatermark) {
        it.remove();
        timers.cancel(w.id());
        read(w.fetch(), w.startedNanos());
      }
    }
  }

  private Behavior<PartitionCommand> onFetchWaitExpired(FetchWaitExpired expired) {
    Iterator<Waiter> it = waiters.iterator();
    while (it.hasNext()) {
      Waiter w = it.next();
      if (w.id() == expired.waiterId()) {
        it.remove();
        answer(w.fetch(), records(w.fetch(), List.of()), w.startedNanos());
      }
    }
    return this;
  }

  private void publishBounds() {
    metrics.partitionBounds(topic, partition, logStartOffset, highWatermark, sizeBytes);
  }

  // ------------------------------------------------------------------ offsets, retention, delete

  private Behavior<PartitionCommand> onListOffsets(ListOffsets request) {
    if (topicRecreated()) {
      request.replyTo().tell(new ListOffsetsResponse(topic, partition, ErrorCode.NOT_LEADER, RESTARTING, -1,
          logStartOffset, highWatermark, sizeBytes));
      return restartForNewTopic();
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

  private Behavior<PartitionCommand> onRefreshBounds(RefreshBounds refresh) {
    applyLogSettings();
    metrics.producerIdsExpired(topic, producers.expire());
    if (highWatermark != lastSnapshotOffset && System.nanoTime() - lastSnapshotNanos >= snapshotIntervalNanos) {
      snapshotWanted = true; // bounds what a start after a crash re-reads (producer-snapshot-interval)
      snapshotIfAllStored();
    }
    getContext().pipeToSelf(engine.enforceRetention(partitionId), (info, error) -> error == null
        ? new BoundsRefreshed(info.logStartOffset() >= 0 ? info.logStartOffset() : logStartOffset, info.sizeBytes())
        : new BoundsRefreshed(logStartOffset, -1));
    return this;
  }

  private Behavior<PartitionCommand> onDelete(PartitionControl.DeletePartition delete) {
    deleted = true;
    failAll(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic " + topic + " was deleted");
    getContext().unwatch(writer);
    getContext().stop(writer);
    ActorRef<Done> replyTo = delete.replyTo();
    engine.deleteLog(partitionId).whenComplete((ok, error) -> replyTo.tell(Done.getInstance()));
    return Behaviors.stopped();
  }

  /**
   * Whether the controller's topic of this name has another id than the log recorded: the topic
   * was deleted and created again while this partition ran. A log that recorded no id yet (this
   * node had not heard of the topic when the partition started) takes the id it sees now, as it
   * would have at start.
   */
  private boolean topicRecreated() {
    String current = metadata.topic(topic).map(TopicMetadata::topicId).orElse(null);
    if (current == null || topicId.filter(current::equals).isPresent()) {
      return false;
    }
    if (topicId.isEmpty()) {
      topicId = Optional.of(current);
      TopicIdGuard.claim(engine, partitionId, topicId).exceptionally(error -> {
        getContext().getSystem().log().warn("Partition {}: could not record topic id {}: {}", partitionId, current,
            error.toString());
        return Optional.empty();
      });
      return false;
    }
    return true;
  }

  /**
   * Stops without serving: the request that found the change (by its handler) and everything pending
   * (at PostStop) are answered NOT_LEADER so clients retry; the next request starts the partition again, and its {@link
   * TopicIdGuard} sets the old log aside (or records the id) before anything is served.
   */
  private Behavior<PartitionCommand> restartForNewTopic() {
    getContext().getLog().info("Partition {}: topic {} now has id {}; restarting the partition on its own log",
        partitionId, topic, metadata.topic(topic).map(TopicMetadata::topicId).orElse("?"));
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
