package dev.tributary.node.partition;

import dev.tributary.journal.segment.EpochEndOffset;
import dev.tributary.journal.segment.OffsetOutOfRangeException;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.controller.Controller;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.replication.ReplicaFetch.PartitionFetch;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.ProduceResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The leader role of a partition's replica: it serves its followers' fetches, keeps the high
 * watermark at the lowest log end of the in-sync replicas ({@link ReplicaSet}), answers {@code
 * acks=all} produces once it covers them, and asks the controller to add caught-up followers to
 * the ISR and to remove lagging ones. Lives on the partition entity's actor.
 */
final class LeaderLog {

  /** What the leader role tells itself through its entity. */
  sealed interface Message extends PartitionEntity.Command, NoSerializationVerificationNeeded {}

  /** A follower's fetch whose last epoch the log had to look up: the lookup is back. */
  record EpochChecked(ReplicaCommand.Read read, int epoch, EpochEndOffset found, String failure) implements Message {}

  record IsrAnswered(int epoch, List<Integer> isr, Controller.AlterIsrReply reply, String failure) implements Message {}

  /** Lagging followers and overdue {@code acks=all} produces are checked at this beat. */
  enum Tick implements Message { INSTANCE }

  static final Duration TICK = Duration.ofSeconds(1);
  /** After the controller refused an ISR change, the next one waits this long. */
  private static final Duration RETRY_AFTER_REFUSAL = Duration.ofSeconds(1);
  /** An ISR change with no decision yet is asked for again after this long. */
  private static final Duration ASK_AGAIN_AFTER = Duration.ofSeconds(12);

  private final ActorContext<PartitionEntity.Command> context;
  private final StorageEngine engine;
  private final String partitionId;
  private final String topic;
  private final int partition;
  private final LogPosition log;
  private final ReplicaContext broker;
  private final BrokerMetrics metrics;
  /** The topic's min.insync.replicas now. */
  private final IntSupplier minInsync;
  /** Whether a broker is registered and not fenced, by this broker's metadata: only those may join the ISR. */
  private final java.util.function.IntPredicate live;
  /** Run when a follower's fetch or an ISR change moved the high watermark: long polls are served. */
  private final Runnable highWatermarkMoved;
  private final List<PendingProduce> awaiting = new ArrayList<>();
  /** Follower fetches waiting for the next write, by follower. */
  private final Map<Integer, ReplicaCommand.WatchAppends> watchers = new HashMap<>();
  private ReplicaSet replicas;
  private int epoch;
  private long askedAtMs;

  LeaderLog(ActorContext<PartitionEntity.Command> context, StorageEngine engine, String partitionId, String topic,
      int partition, LogPosition log, ReplicaContext broker, BrokerMetrics metrics, IntSupplier minInsync,
      java.util.function.IntPredicate live, Runnable highWatermarkMoved) {
    this.context = context;
    this.engine = engine;
    this.partitionId = partitionId;
    this.topic = topic;
    this.partition = partition;
    this.log = log;
    this.broker = broker;
    this.metrics = metrics;
    this.minInsync = minInsync;
    this.highWatermarkMoved = highWatermarkMoved;
    this.live = live;
  }

  /**
   * Takes the lead in {@code epoch}: the epoch starts at the log end, and every in-sync follower
   * counts as caught up now. {@code info} null: a partition placed nowhere (this replica alone).
   */
  void lead(int self, PartitionInfo info, int epoch) {
    this.epoch = epoch;
    List<Integer> all = info == null ? List.of(self) : info.replicas();
    List<Integer> isr = info == null ? List.of(self) : info.isr();
    replicas = new ReplicaSet(self, all, isr, info == null ? 0 : info.partitionEpoch(), log.logEnd,
        System.currentTimeMillis());
  }

  int epoch() {
    return epoch;
  }

  /**
   * Whether a client request's leader epoch is this leader's: an older one is {@code
   * FENCED_LEADER_EPOCH} (the client's metadata is behind), a newer one {@code
   * UNKNOWN_LEADER_EPOCH} (this broker's is); both retried after a metadata refresh.
   */
  ErrorCode epochCheck(int requested) {
    if (requested < 0 || requested == epoch) {
      return ErrorCode.NONE;
    }
    return requested < epoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
  }

  String epochRefusal(int requested) {
    return "the request names leader epoch " + requested + " of partition " + partitionId + "; broker "
        + broker.brokerId() + " leads it in epoch " + epoch + ": refresh metadata and retry";
  }

  /** The controller's newest word on the ISR, from metadata. */
  void committed(PartitionInfo info) {
    if (info != null) {
      replicas.committed(info.isr(), info.partitionEpoch());
    }
  }

  /** The ISR committed now (the leader's own view). */
  List<Integer> isr() {
    return replicas.committedIsr();
  }

  /** Moves the high watermark as far as the in-sync logs allow; true if it moved. */
  boolean advanceHighWatermark() {
    long hw = replicas.highWatermark(log.logEnd, log.highWatermark);
    if (hw <= log.highWatermark) {
      return false;
    }
    log.highWatermark = hw;
    Iterator<PendingProduce> it = awaiting.iterator();
    while (it.hasNext()) {
      PendingProduce p = it.next();
      if (p.committedAt() > hw) {
        break; // in offset order: the rest are above it too
      }
      it.remove();
      answerCommitted(p);
    }
    return true;
  }

  /** A stored produce: answered now unless it waits for the high watermark. */
  void stored(PendingProduce p) {
    if (!p.waitsForReplicas()) {
      p.request().replyTo().tell(ok(p));
    } else if (p.committedAt() <= log.highWatermark) {
      answerCommitted(p);
    } else {
      awaiting.add(p);
    }
  }

  private void answerCommitted(PendingProduce p) {
    List<Integer> isr = replicas.committedIsr();
    int needed = minInsync.getAsInt();
    if (isr.size() < needed) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          "partition " + partitionId + " stored the batch at offset " + p.baseOffset() + ", but its in-sync replicas "
              + isr + " fell below min.insync.replicas=" + needed + " before it was committed"));
    } else {
      p.request().replyTo().tell(ok(p));
    }
  }

  private ProduceResponse ok(PendingProduce p) {
    return new ProduceResponse(p.request().correlationId(), topic, partition, ErrorCode.NONE, "", p.baseOffset(), -1,
        log.logStartOffset);
  }

  /**
   * A write of {@code batches} from offset {@code writeStart} is stored: long-polling follower
   * fetches are answered. A fetch waiting at {@code writeStart} gets the batches themselves, so
   * the copy starts without a read of what was just written; any other reads again.
   */
  void wakeFollowers(long writeStart, List<byte[]> batches) {
    if (watchers.isEmpty()) {
      return;
    }
    int size = 0;
    for (byte[] b : batches) {
      size += b.length;
    }
    byte[] records = null;
    for (ReplicaCommand.WatchAppends w : watchers.values()) {
      if (w.fetchOffset() != writeStart || size == 0 || size > w.maxBytes()) {
        w.replyTo().tell(ReplicaCommand.Appended.readAgain(topic, partition));
        continue;
      }
      if (records == null) {
        records = Fetches.concatenateArrays(batches, size);
      }
      w.replyTo().tell(new ReplicaCommand.Appended(topic, partition, new PartitionData(topic, partition,
          ErrorCode.NONE, "", log.highWatermark, log.logStartOffset, log.logEnd, false, -1, -1, records)));
    }
    watchers.clear();
  }

  /** Whether a follower fetch waits for the next write (then {@link #wakeFollowers} wants its batches). */
  boolean followersWaiting() {
    return !watchers.isEmpty();
  }

  void watch(ReplicaCommand.WatchAppends watch) {
    if (log.logEnd > watch.fetchOffset()) {
      watch.replyTo().tell(ReplicaCommand.Appended.readAgain(topic, partition)); // stored since its read
    } else {
      watchers.put(watch.replicaId(), watch);
    }
  }

  /** Gives up the lead: produces waiting for their commit are answered {@code error}. */
  void resign(ErrorCode error, String message) {
    for (PendingProduce p : awaiting) {
      p.request().replyTo().tell(ProduceResponse.failed(p.request(), error, message));
    }
    awaiting.clear();
    watchers.clear();
  }

  /** The beat: asks to drop followers that lag too long, and answers produces past their deadline. */
  void tick() {
    long now = System.currentTimeMillis();
    if (replicas.changePending() && now - askedAtMs > ASK_AGAIN_AFTER.toMillis()) {
      ask(replicas.pendingIsr(), "ask again for"); // unanswered: the controller may have moved
    }
    replicas.shrink(now, broker.replicaLagTimeMax().toMillis()).ifPresent(isr -> ask(isr, "shrink"));
    Iterator<PendingProduce> it = awaiting.iterator();
    while (it.hasNext()) {
      PendingProduce p = it.next();
      if (p.request().expiredAt(now)) {
        it.remove();
        p.request().replyTo().tell(ProduceResponse.failed(p.request(), ErrorCode.REQUEST_TIMED_OUT,
            "the batch is stored on the leader but the in-sync replicas " + replicas.committedIsr()
                + " did not all copy it in time; it may or may not be committed; retry"));
      }
    }
  }

  // ---------------------------------------------------------------- follower fetches

  /**
   * One partition of a follower's fetch: checks its epoch, then whether its log agrees with this
   * one where it ends (Kafka's diverging-epoch check), then counts its position and reads.
   */
  void read(ReplicaCommand.Read read) {
    PartitionFetch f = read.fetch();
    if (f.currentLeaderEpoch() < epoch) {
      read.replyTo().tell(PartitionData.failed(f, ErrorCode.FENCED_LEADER_EPOCH, "broker " + read.replicaId()
          + " fetches in leader epoch " + f.currentLeaderEpoch() + "; " + partitionId + " is in epoch " + epoch));
      return;
    }
    if (f.currentLeaderEpoch() > epoch) {
      read.replyTo().tell(PartitionData.failed(f, ErrorCode.UNKNOWN_LEADER_EPOCH, "broker " + read.replicaId()
          + " fetches in leader epoch " + f.currentLeaderEpoch() + "; this leader is still in " + epoch));
      return;
    }
    if (!replicas.isReplica(read.replicaId())) {
      read.replyTo().tell(PartitionData.failed(f, ErrorCode.INVALID_REQUEST,
          "broker " + read.replicaId() + " is not a follower of " + partitionId));
      return;
    }
    int last = f.lastFetchedEpoch();
    if (last < 0 ? f.fetchOffset() > log.logEnd : last > log.latestEpoch) {
      diverged(read, log.latestEpoch, log.logEnd); // every epoch after this log's latest is empty here
    } else if (last >= 0 && last == log.latestEpoch) {
      if (f.fetchOffset() > log.logEnd) {
        diverged(read, log.latestEpoch, log.logEnd);
      } else {
        serve(read);
      }
    } else if (last >= 0) {
      context.pipeToSelf(engine.endOffsetForEpoch(partitionId, last),
          (found, error) -> new EpochChecked(read, epoch, found, error == null ? null : Failures.cause(error).toString()));
    } else {
      serve(read);
    }
  }

  void onEpochChecked(EpochChecked checked) {
    ReplicaCommand.Read read = checked.read();
    if (checked.epoch() != epoch) {
      read.replyTo().tell(PartitionData.failed(read.fetch(), ErrorCode.NOT_LEADER, "leadership moved meanwhile"));
    } else if (checked.failure() != null) {
      read.replyTo().tell(PartitionData.failed(read.fetch(), ErrorCode.KAFKA_STORAGE_ERROR, checked.failure()));
    } else if (checked.found().epoch() < read.fetch().lastFetchedEpoch()
        || checked.found().endOffset() < read.fetch().fetchOffset()) {
      diverged(read, checked.found().epoch(), checked.found().endOffset());
    } else {
      serve(read);
    }
  }

  private void diverged(ReplicaCommand.Read read, int divergingEpoch, long endOffset) {
    PartitionFetch f = read.fetch();
    read.replyTo().tell(new PartitionData(f.topic(), f.partition(), ErrorCode.NONE, "", log.highWatermark,
        log.logStartOffset, log.logEnd, true, divergingEpoch, endOffset, null));
  }

  private void serve(ReplicaCommand.Read read) {
    PartitionFetch f = read.fetch();
    if (f.fetchOffset() < log.logStartOffset) {
      read.replyTo().tell(new PartitionData(f.topic(), f.partition(), ErrorCode.OFFSET_OUT_OF_RANGE,
          "offset " + f.fetchOffset() + " is below the log start " + log.logStartOffset + " of " + partitionId,
          log.highWatermark, log.logStartOffset, log.logEnd, false, -1, -1, null));
      return;
    }
    replicas.fetched(read.replicaId(), f.fetchOffset(), log.logEnd, System.currentTimeMillis());
    if (advanceHighWatermark()) {
      highWatermarkMoved.run();
    }
    replicas.expansion(log.highWatermark, live, System.currentTimeMillis()).ifPresent(isr -> ask(isr, "expand"));
    long hw = log.highWatermark;
    long start = log.logStartOffset;
    long end = log.logEnd;
    if (f.fetchOffset() >= end) {
      read.replyTo().tell(new PartitionData(f.topic(), f.partition(), ErrorCode.NONE, "", hw, start, end, false, -1,
          -1, null));
      return;
    }
    engine.readRaw(partitionId, f.fetchOffset(), end, read.maxBytes()).whenComplete((batches, error) -> {
      if (error == null) {
        read.replyTo().tell(new PartitionData(f.topic(), f.partition(), ErrorCode.NONE, "", hw, start, end, false, -1,
            -1, Fetches.concatenate(batches)));
      } else {
        Throwable cause = Failures.cause(error);
        ErrorCode code = cause instanceof OffsetOutOfRangeException ? ErrorCode.OFFSET_OUT_OF_RANGE
            : ErrorCode.KAFKA_STORAGE_ERROR;
        read.replyTo().tell(PartitionData.failed(f, code, "could not read " + partitionId + ": " + cause));
      }
    });
  }

  // ---------------------------------------------------------------- ISR changes

  private void ask(List<Integer> isr, String change) {
    replicas.asked(isr);
    askedAtMs = System.currentTimeMillis();
    context.getLog().info("Partition {} (leader epoch {}): asking the controller to {} the ISR {} to {}", partitionId,
        epoch, change, replicas.committedIsr(), isr);
    int askedIn = epoch;
    context.ask(Controller.AlterIsrReply.class, broker.controller(), Duration.ofSeconds(10),
        replyTo -> new Controller.AlterIsr(broker.brokerId(), broker.brokerEpoch().getAsLong(), topic, partition,
            askedIn, replicas.partitionEpoch(), isr, replyTo),
        (reply, error) -> new IsrAnswered(askedIn, isr, reply, error == null ? null : error.toString()));
  }

  void onIsrAnswered(IsrAnswered answered) {
    if (answered.epoch() != epoch || replicas == null) {
      return;
    }
    Controller.AlterIsrReply reply = answered.reply();
    if (reply != null && reply.error() == ErrorCode.NONE) {
      boolean shrink = answered.isr().size() < replicas.committedIsr().size();
      replicas.committed(answered.isr(), reply.partitionEpoch());
      metrics.isrChanged(topic, shrink ? "shrink" : "expand");
      context.getLog().info("Partition {}: the ISR is now {} (partition epoch {})", partitionId, answered.isr(),
          reply.partitionEpoch());
      if (advanceHighWatermark()) {
        highWatermarkMoved.run();
      }
    } else if (reply == null || reply.error() == ErrorCode.INVALID_UPDATE_VERSION || reply.error().retriable()) {
      // No answer, or the partition moved on: the change may have been committed. Until metadata
      // says (a newer partition epoch ends the pending change), the member being added still
      // counts for the high watermark; the tick asks again.
      context.getLog().info("Partition {}: no decision on the ISR {} yet ({}); it stays pending", partitionId,
          answered.isr(), reply != null ? reply.error() + " " + reply.message() : answered.failure());
    } else {
      context.getLog().info("Partition {}: the controller did not change the ISR to {}: {}", partitionId, answered.isr(),
          reply.error() + " " + reply.message());
      replicas.changeRefused(System.currentTimeMillis() + RETRY_AFTER_REFUSAL.toMillis());
    }
  }
}
