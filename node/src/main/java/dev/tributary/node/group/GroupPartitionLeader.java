package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import dev.tributary.node.MetadataView;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.node.partition.PartitionControl;
import dev.tributary.node.partition.ReplicaCommand;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.CorruptRecordException;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.slf4j.Logger;

/**
 * The coordinators of the groups of one partition {@code __groups-N} while this broker leads it,
 * in one leader epoch. It owns the partition's group state ({@link GroupLogState}) and is the only
 * writer of the partition: every change a coordinator makes is appended with {@code acks=all}
 * through this broker's data gateway, naming the leader epoch, and answered only once replicated.
 * A write refused for another epoch means another broker leads now: its coordinators answer
 * NOT_COORDINATOR until the manager ({@link GroupCoordinators}) stops this actor, as metadata
 * moves the leadership; nothing else stops it.
 *
 * <p>It starts by replaying the partition as this replica holds it, to its log end, without writing
 * anything: a leader comes from the ISR, so it holds every record an earlier leader acknowledged,
 * and what it holds beyond the high watermark is what the partition commits next. Until the high
 * watermark reaches the end of that replay, requests wait here, in order, since their answers
 * could reveal state a next leader might not have; commits go ahead at once, because their own
 * replication commits everything before them, and the first one acknowledged ends the wait too.
 * (Kafka's coordinators load to the log end and wait for the high watermark the same way.) Each
 * group's coordinator ({@link GroupCoordinator}) is a child, created at the group's first request
 * from what the log says of it.
 */
public final class GroupPartitionLeader {

  /** How long one append may wait for its replicas (Kafka's offsets.commit.timeout.ms is 5 s). */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
  /**
   * Between tries of the first read: short, since the usual refusal is the replica not having
   * taken the leadership that metadata gave this broker a moment ago, and every group of the
   * partition waits for it (measured: a 500 ms pause was a fifth of a coordinator's failover).
   */
  private static final Duration RETRY = Duration.ofMillis(50);
  private static final int FETCH_BYTES = 1 << 20;
  /**
   * Bytes of keys and values per append at most, well below the topic's max.message.bytes (1 MiB):
   * a longer queue, or a snapshot, goes in several appends.
   */
  static final int MAX_BYTES_PER_WRITE = 512 * 1024;
  /** How long an append or a read may go unanswered before its outcome counts as unknown. */
  private static final Duration REPLY_TIMEOUT = WRITE_TIMEOUT.plusSeconds(5);
  private static final String REPLY_TIMER = "reply";

  /** Local to this broker: the manager's and the coordinators' requests, and the partition's answers. */
  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** A group request for a group of this partition, from the manager. */
  record Request(GroupRequest request) implements Command {}

  /** The ids of the groups with state in this partition. */
  record ListGroups(ActorRef<GroupIds> replyTo) implements Command {}

  record GroupIds(List<String> groupIds) implements NoSerializationVerificationNeeded {}

  /** Appends records for a coordinator; {@code replyTo} hears once they are replicated or refused. */
  record Append(List<GroupLogRecord> records, ActorRef<Appended> replyTo) implements Command {}

  /** The outcome of an {@link Append}: NONE once replicated. */
  record Appended(ErrorCode error, String message) implements NoSerializationVerificationNeeded {
    boolean ok() {
      return error == ErrorCode.NONE;
    }
  }

  /** A group's committed offsets, as the log holds them now. */
  record GetOffsets(String groupId, ActorRef<Offsets> replyTo) implements Command {}

  record Offsets(Map<TopicPartition, CommittedOffset> offsets) implements NoSerializationVerificationNeeded {}

  private record Written(ProduceResponse response) implements Command {}

  private record Read(FetchResponse response) implements Command {}

  private enum Tick implements Command { START, WATCH }

  /** The append or read with this correlation id got no answer in time. */
  private record Unanswered(long correlationId) implements Command {}

  /** A group's coordinator stopped (it failed): the next request for the group starts a new one. */
  private record CoordinatorStopped(String groupId, ActorRef<GroupRequest> ref) implements Command {}

  /** One record, encoded once. */
  private record Encoded(GroupLogRecord record, byte[] key, byte[] value) {
    static Encoded of(GroupLogRecord record) {
      return new Encoded(record, GroupLogRecord.key(record), GroupLogRecord.value(record));
    }

    int size() {
      return key.length + value.length;
    }
  }

  /** Records waiting to be appended and who waits for them. */
  private record Pending(List<Encoded> records, int bytes, ActorRef<Appended> replyTo) {
    static Pending of(List<GroupLogRecord> records, ActorRef<Appended> replyTo) {
      List<Encoded> encoded = records.stream().map(Encoded::of).toList();
      return new Pending(encoded, encoded.stream().mapToInt(Encoded::size).sum(), replyTo);
    }
  }

  public static Behavior<Command> create(int partition, int leaderEpoch, int brokerId, MetadataView metadata,
      ActorRef<GatewayRequest> dataGateway, BrokerMetrics metrics, int snapshotEvery) {
    return Behaviors.withTimers(timers -> Behaviors.setup(context -> new GroupPartitionLeader(context, timers,
        partition, leaderEpoch, brokerId, metadata, dataGateway, metrics, snapshotEvery).starting()));
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Logger log;
  private final int partition;
  private final int leaderEpoch;
  private final int brokerId;
  private final MetadataView metadata;
  private final ActorRef<GatewayRequest> dataGateway;
  private final BrokerMetrics metrics;
  private final int snapshotEvery;
  private final ActorRef<ProduceResponse> writeReplies;
  private final ActorRef<FetchResponse> readReplies;
  private final GroupLogState state = new GroupLogState();
  private final Map<String, ActorRef<GroupRequest>> coordinators = new HashMap<>();
  private int coordinatorsStarted;
  private final Deque<Pending> queued = new ArrayDeque<>();
  /** The appends of the write in flight, in the order of their records; null when none is. */
  private List<Pending> inFlight;
  /** A snapshot is under way: its records or its mark are queued or in flight. */
  private boolean snapshotting;
  /** The first and last appends of the snapshot's records, and where the first landed (-1: not yet). */
  private Pending snapshotFirst;
  private Pending snapshotLast;
  private long snapshotStart = -1;
  private long correlation;
  /** The correlation id of the append or read in flight: answers to any other are stale. */
  private long awaiting = -1;
  /** The next offset to read while loading; once loaded, the log end the replay reached. */
  private long nextToRead;
  private long loadEnd = -1;
  /** The high watermark has reached {@link #loadEnd}: every answer reveals only committed state. */
  private boolean confirmed;
  /** Requests waiting for the load, then for {@link #confirmed}, in the order they came. */
  private final List<GroupRequest> held = new ArrayList<>();
  /** The correlation id of the fetch that waits for the high watermark to reach {@link #loadEnd}. */
  private long watching = -1;

  private GroupPartitionLeader(ActorContext<Command> context, TimerScheduler<Command> timers, int partition,
      int leaderEpoch, int brokerId, MetadataView metadata, ActorRef<GatewayRequest> dataGateway, BrokerMetrics metrics,
      int snapshotEvery) {
    this.context = context;
    this.timers = timers;
    this.log = context.getLog();
    this.partition = partition;
    this.leaderEpoch = leaderEpoch;
    this.brokerId = brokerId;
    this.metadata = metadata;
    this.dataGateway = dataGateway;
    this.metrics = metrics;
    this.snapshotEvery = snapshotEvery;
    this.writeReplies = context.messageAdapter(ProduceResponse.class, Written::new);
    this.readReplies = context.messageAdapter(FetchResponse.class, Read::new);
  }

  private String name() {
    return GroupPartitions.TOPIC + "-" + partition;
  }

  // ---------------------------------------------------------------- loading

  private Behavior<Command> starting() {
    context.getSelf().tell(Tick.START);
    return Behaviors.receive(Command.class)
        .onMessageEquals(Tick.START, () -> {
          readOwnLog();
          return Behaviors.same();
        })
        .onMessage(Read.class, read -> answered(read.response().correlationId())
            ? onRead(read.response()) : Behaviors.same())
        .onMessage(Unanswered.class, silent -> {
          if (silent.correlationId() == awaiting) {
            awaiting = -1; // what was replayed so far is the log up to nextToRead: read on from there
            log.warn("{}: no answer from the partition while loading; reading again", name());
            context.getSelf().tell(Tick.START);
          }
          return Behaviors.same();
        })
        .onMessage(Request.class, request -> {
          held.add(request.request());
          return Behaviors.same();
        })
        .onMessage(ListGroups.class, list -> {
          list.replyTo().tell(new GroupIds(List.of())); // no coordinator runs yet to Append or GetOffsets
          return Behaviors.same();
        })
        .onSignal(PostStop.class, stopped -> refuseHeld())
        .build();
  }

  /** Reads this replica to its log end, in this leader epoch: from then on only this actor writes to it. */
  private void readOwnLog() {
    ClusterSharding.get(context.getSystem()).entityRefFor(Tributary.PARTITION_ENTITY, ownReplica())
        .tell(new ReplicaCommand.ReadToLogEnd(new Fetch(expectAnswer(), GroupPartitions.TOPIC, partition, nextToRead,
            FETCH_BYTES, 0, readReplies, leaderEpoch)));
  }

  private String ownReplica() {
    return PartitionShards.replicaId(TopicNames.partitionId(GroupPartitions.TOPIC, partition), brokerId);
  }

  /** A new correlation id for the next request, awaited until its answer or {@link #REPLY_TIMEOUT}. */
  private long expectAnswer() {
    awaiting = ++correlation;
    timers.startSingleTimer(REPLY_TIMER, new Unanswered(awaiting), REPLY_TIMEOUT);
    return awaiting;
  }

  /** Whether this is the answer awaited (not a stale one from before a timeout). */
  private boolean answered(long correlationId) {
    if (correlationId != awaiting) {
      return false;
    }
    awaiting = -1;
    timers.cancel(REPLY_TIMER);
    return true;
  }

  private Behavior<Command> onRead(FetchResponse response) {
    if (response.error() == ErrorCode.OFFSET_OUT_OF_RANGE && nextToRead < response.logStartOffset()) {
      nextToRead = response.logStartOffset(); // a snapshot let retention remove the start
      readOwnLog();
      return Behaviors.same();
    }
    if (deposed(response.error()) || response.error() == ErrorCode.UNKNOWN_LEADER_EPOCH) {
      // Usually the replica has not taken the leadership yet; if another broker has, the manager stops this actor.
      log.debug("{}: the replica does not lead in epoch {} yet ({}); reading again shortly", name(), leaderEpoch,
          response.error());
      timers.startSingleTimer(Tick.START, RETRY);
      return Behaviors.same();
    }
    if (response.error() != ErrorCode.NONE) {
      // The manager starts a new one after a pause, which loads from the start.
      log.warn("{}: reading the group log failed ({}: {}); the coordinator starts again", name(), response.error(),
          response.errorMessage());
      return Behaviors.stopped();
    }
    for (RecordBatch batch : response.batches()) {
      for (Record record : batch.records()) {
        if (record.offset() >= nextToRead) {
          replay(record);
        }
      }
      nextToRead = Math.max(nextToRead, batch.nextOffset());
    }
    if (!response.records().isEmpty()) {
      readOwnLog();
      return Behaviors.same();
    }
    loadEnd = nextToRead;
    log.info("{}: coordinator for leader epoch {} on broker {} loaded {} group(s) from offsets {}..{}", name(),
        leaderEpoch, brokerId, state.groupIds().size(), state.removableBelow(), loadEnd);
    state.groupIds().forEach(id -> state.group(id).ifPresent(this::countOffsets));
    List<GroupRequest> waiting = List.copyOf(held);
    held.clear();
    if (response.highWatermark() >= loadEnd) {
      confirm();
    } else {
      watchHighWatermark();
    }
    waiting.forEach(this::route);
    return serving();
  }

  /** A fetch of the record before {@link #loadEnd}: parked by the partition until the high watermark passes it. */
  private void watchHighWatermark() {
    watching = ++correlation;
    dataGateway.tell(new Fetch(watching, GroupPartitions.TOPIC, partition, loadEnd - 1, 1,
        (int) WRITE_TIMEOUT.toMillis(), readReplies, leaderEpoch));
  }

  private Behavior<Command> onWatched(FetchResponse response) {
    watching = -1;
    if (confirmed) {
      return Behaviors.same();
    }
    if (response.highWatermark() >= loadEnd) {
      confirm();
    } else if (response.error() == ErrorCode.NONE) {
      watchHighWatermark(); // its wait ran out: the followers are slow
    } else {
      timers.startSingleTimer(Tick.WATCH, RETRY); // deposed, the manager stops this actor; else it passes
    }
    return Behaviors.same();
  }

  /** Everything replayed is committed: the requests held for it go to their coordinators, in order. */
  private void confirm() {
    confirmed = true;
    timers.cancel(Tick.WATCH);
    List<GroupRequest> waiting = List.copyOf(held);
    held.clear();
    log.info("{}: everything loaded is replicated (high watermark at {}); coordinating, {} held request(s) go on",
        name(), loadEnd, waiting.size());
    waiting.forEach(this::route);
  }

  /**
   * A request to its group's coordinator, or held until {@link #confirmed}; a commit goes ahead,
   * since it is answered only once replicated, and so once all before it is committed.
   */
  private void route(GroupRequest request) {
    if (confirmed || request instanceof GroupRequest.CommitOffsets) {
      coordinatorOf(request.groupId()).tell(request);
    } else {
      held.add(request);
    }
  }

  /** Stopped (deposed, or to load again): held requests are told to find the coordinator again. */
  private Behavior<Command> refuseHeld() {
    held.forEach(r -> GroupCoordinator.refuse(r, ErrorCode.NOT_COORDINATOR, "the coordinator of " + name()
        + " on broker " + brokerId + " stopped before it answered: refresh metadata and retry"));
    held.clear();
    return Behaviors.same();
  }

  private void replay(Record record) {
    try {
      state.apply(GroupLogRecord.decode(record.key(), record.value()), record.offset());
    } catch (CorruptRecordException e) {
      // Written by this code and CRC-checked on the way in and out: a bug or a damaged disk. One
      // lost record is one group's stale offset, not a partition that can never be coordinated.
      log.error("{}: skipping the record at offset {}, which is not a group log record: {}", name(), record.offset(),
          e.getMessage());
    }
  }

  private void countOffsets(GroupLogState.Group group) {
    group.offsets().values().forEach(o -> metrics.groupOffsetCommitted(o.groupId(), o.partition().topic(),
        o.partition().partition(), o.offset()));
  }

  // ---------------------------------------------------------------- serving

  private Behavior<Command> serving() {
    return Behaviors.receive(Command.class)
        .onMessage(Request.class, request -> {
          route(request.request());
          return Behaviors.same();
        })
        .onMessage(ListGroups.class, list -> {
          list.replyTo().tell(new GroupIds(List.copyOf(state.groupIds())));
          return Behaviors.same();
        })
        .onMessage(GetOffsets.class, get -> {
          Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
          state.group(get.groupId()).ifPresent(g -> g.offsets().forEach((p, o) ->
              offsets.put(p, new CommittedOffset(p, o.offset(), o.metadata()))));
          get.replyTo().tell(new Offsets(offsets));
          return Behaviors.same();
        })
        .onMessage(Append.class, append -> {
          queued.add(Pending.of(append.records(), append.replyTo()));
          sendQueued();
          return Behaviors.same();
        })
        .onMessage(Written.class, written -> answered(written.response().correlationId())
            ? onWritten(written.response()) : Behaviors.same())
        .onMessage(Unanswered.class, silent -> silent.correlationId() == awaiting
            ? unknownOutcome("no answer from the partition within " + REPLY_TIMEOUT.toSeconds() + " s")
            : Behaviors.same())
        .onMessage(CoordinatorStopped.class, stopped -> {
          coordinators.remove(stopped.groupId(), stopped.ref());
          return Behaviors.same();
        })
        .onMessage(Read.class, read -> read.response().correlationId() == watching
            ? onWatched(read.response()) : Behaviors.same())
        .onMessageEquals(Tick.WATCH, () -> {
          if (!confirmed && watching < 0) {
            watchHighWatermark();
          }
          return Behaviors.same();
        })
        .onMessageEquals(Tick.START, Behaviors::same)
        .onSignal(PostStop.class, stopped -> refuseHeld())
        .build();
  }

  private ActorRef<GroupRequest> coordinatorOf(String groupId) {
    return coordinators.computeIfAbsent(groupId, id -> {
      Optional<GroupLogRecord.Membership> membership = state.group(id).map(GroupLogState.Group::membership)
          .filter(m -> !m.members().isEmpty());
      ActorRef<GroupRequest> coordinator = context.spawn(
          GroupCoordinator.create(id, metadata, metrics, context.getSelf(), membership, brokerId),
          "group-" + (++coordinatorsStarted));
      context.watchWith(coordinator, new CoordinatorStopped(id, coordinator));
      return coordinator;
    });
  }

  /**
   * Sends what is queued as one append of at most {@link #MAX_BYTES_PER_WRITE}, unless one is in
   * flight: records land in the order they came.
   */
  private void sendQueued() {
    if (inFlight != null || queued.isEmpty()) {
      return;
    }
    List<Pending> taking = new ArrayList<>();
    List<Encoded> records = new ArrayList<>();
    int bytes = 0;
    while (!queued.isEmpty() && (records.isEmpty() || bytes + queued.peek().bytes() <= MAX_BYTES_PER_WRITE)) {
      Pending next = queued.poll();
      taking.add(next);
      records.addAll(next.records());
      bytes += next.bytes();
    }
    inFlight = taking;
    send(records);
  }

  private void send(List<Encoded> records) {
    RecordBatchBuilder batch = new RecordBatchBuilder();
    long now = System.currentTimeMillis();
    for (Encoded r : records) {
      batch.add(r.key(), r.value(), List.of(), now);
    }
    dataGateway.tell(new Produce(expectAnswer(), GroupPartitions.TOPIC, partition, batch.build().toByteArray(),
        Acks.ALL, (int) WRITE_TIMEOUT.toMillis(), writeReplies, 0, leaderEpoch));
  }

  private Behavior<Command> onWritten(ProduceResponse response) {
    List<Pending> done = inFlight;
    inFlight = null;
    if (response.error() == ErrorCode.NONE) {
      if (!confirmed) {
        confirm(); // acknowledged once replicated: so is everything before it
      }
      long offset = response.baseOffset();
      for (Pending p : done) {
        for (Encoded r : p.records()) {
          state.apply(r.record(), offset++);
        }
      }
      done.forEach(p -> p.replyTo().tell(new Appended(ErrorCode.NONE, "")));
      afterWrite(done, response.baseOffset(), offset);
      sendQueued();
      return Behaviors.same();
    }
    if (!refusedBeforeAppend(response.error())) {
      done.forEach(p -> queued.addFirst(p)); // answered as failed by unknownOutcome, with the rest
      return unknownOutcome(response.error() + ": " + response.errorMessage());
    }
    Appended failed = deposed(response.error())
        ? new Appended(ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " no longer leads " + name()
            + ": refresh metadata and retry on its new leader")
        : new Appended(response.error() == ErrorCode.NOT_ENOUGH_REPLICAS ? ErrorCode.COORDINATOR_NOT_AVAILABLE
            : response.error(), "writing to " + name() + " failed: " + response.errorMessage());
    done.forEach(p -> p.replyTo().tell(failed));
    snapshotting = false;
    snapshotFirst = null;
    snapshotLast = null;
    if (deposed(response.error())) {
      // Another broker leads: nothing more will be written here. Metadata will say so, and the
      // manager stops this actor; until then every write is refused the same way.
      queued.forEach(p -> p.replyTo().tell(failed));
      queued.clear();
      log.info("{}: refused for leader epoch {} ({}): another broker leads it now", name(), leaderEpoch,
          response.error());
      return Behaviors.same();
    }
    sendQueued();
    return Behaviors.same();
  }

  /**
   * An append that may or may not have been stored (it timed out, or was stored but not
   * replicated in time): what this actor holds may now differ from what the next leader will
   * read, so it stops and the manager starts it again, to load the partition as it is.
   */
  private Behavior<Command> unknownOutcome(String why) {
    log.warn("{}: an append's outcome is unknown ({}); the coordinator reloads the group log", name(), why);
    Appended failed = new Appended(ErrorCode.REQUEST_TIMED_OUT, "writing to " + name() + " did not complete ("
        + why + "): it may or may not have been stored; retry");
    queued.forEach(p -> p.replyTo().tell(failed));
    queued.clear();
    return Behaviors.stopped();
  }

  /** Errors that mean the partition appended nothing: the state here still matches the log. */
  private static boolean refusedBeforeAppend(ErrorCode error) {
    return deposed(error) || error == ErrorCode.NOT_ENOUGH_REPLICAS || error == ErrorCode.RECORD_TOO_LARGE
        || error == ErrorCode.CORRUPT_RECORD || error == ErrorCode.INVALID_REQUEST || error == ErrorCode.UNKNOWN_LEADER_EPOCH;
  }

  /**
   * Snapshots, as records of this partition: every live key written again, then a mark naming
   * where those start, so the partition's records before them hold nothing a new leader needs.
   * Taken right after a write was acknowledged and before the next is sent, the snapshot is the
   * state of every record before it; its appends go first, one after another, before anything
   * queued behind them (a newer record between two of them would be overwritten on replay).
   */
  private void afterWrite(List<Pending> written, long baseOffset, long nextOffset) {
    if (snapshotFirst != null && written.contains(snapshotFirst)) {
      snapshotStart = baseOffset;
      for (Pending p : written) {
        if (p == snapshotFirst) {
          break;
        }
        snapshotStart += p.records().size();
      }
    }
    if (snapshotLast != null && written.contains(snapshotLast)) {
      snapshotFirst = null;
      snapshotLast = null;
      queued.addFirst(Pending.of(List.of(new GroupLogRecord.SnapshotMark(snapshotStart)), context.getSystem().ignoreRef()));
    } else if (snapshotting && snapshotFirst == null && written.stream()
        .anyMatch(p -> p.records().stream().anyMatch(r -> r.record() instanceof GroupLogRecord.SnapshotMark))) {
      // Committed (acks=all): the records below the snapshot are redundant on every replica.
      log.debug("{}: snapshot complete; deleting the segments below offset {}", name(), state.removableBelow());
      snapshotting = false;
      ClusterSharding.get(context.getSystem()).entityRefFor(Tributary.PARTITION_ENTITY, ownReplica())
          .tell(new PartitionControl.DeleteRecordsBelow(GroupPartitions.TOPIC, partition, state.removableBelow()));
    } else if (!snapshotting && state.recordsSinceSnapshot() >= snapshotEvery) {
      snapshotting = true;
      List<Pending> chunks = chunks(state.snapshot());
      if (chunks.isEmpty()) {
        queued.addFirst(Pending.of(List.of(new GroupLogRecord.SnapshotMark(nextOffset)), context.getSystem().ignoreRef()));
      } else {
        snapshotFirst = chunks.get(0);
        snapshotLast = chunks.get(chunks.size() - 1);
        for (int i = chunks.size() - 1; i >= 0; i--) {
          queued.addFirst(chunks.get(i));
        }
      }
    }
  }

  /** Records as appends of at most {@link #MAX_BYTES_PER_WRITE} each, answered to no one. */
  private List<Pending> chunks(List<GroupLogRecord> records) {
    List<Pending> chunks = new ArrayList<>();
    List<Encoded> chunk = new ArrayList<>();
    int bytes = 0;
    for (GroupLogRecord r : records) {
      Encoded e = Encoded.of(r);
      if (!chunk.isEmpty() && bytes + e.size() > MAX_BYTES_PER_WRITE) {
        chunks.add(new Pending(chunk, bytes, context.getSystem().ignoreRef()));
        chunk = new ArrayList<>();
        bytes = 0;
      }
      chunk.add(e);
      bytes += e.size();
    }
    if (!chunk.isEmpty()) {
      chunks.add(new Pending(chunk, bytes, context.getSystem().ignoreRef()));
    }
    return chunks;
  }

  /** Whether the partition refused the request because this broker no longer leads it in this epoch. */
  private static boolean deposed(ErrorCode error) {
    return error == ErrorCode.NOT_LEADER || error == ErrorCode.FENCED_LEADER_EPOCH
        || error == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
}
