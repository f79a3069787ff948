package dev.tributary.node.group;

import dev.tributary.client.TopicPartition;
import dev.tributary.node.MetadataView;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.GroupPartitions;
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
import java.nio.ByteBuffer;
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
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * The coordinators of the groups of one partition {@code __groups-N} while this broker leads it,
 * in one leader epoch. It owns the partition's group state ({@link GroupLogState}) and is the only
 * writer of the partition: every change a coordinator makes is appended with {@code acks=all}
 * through this broker's data gateway, naming the leader epoch, and answered only once replicated.
 * A write refused for a newer epoch means another broker leads now: this actor stops, and the
 * manager ({@link GroupCoordinators}) answers NOT_COORDINATOR until metadata says otherwise.
 *
 * <p>It starts by appending {@link GroupLogRecord.CoordinatorStarted}: once that is replicated,
 * every record before it is committed, so it replays the partition up to there (the previous
 * leader's acknowledged writes included) before it serves a request. Each group's coordinator
 * ({@link GroupCoordinator}) is a child, created at the group's first request from what the log
 * says of it.
 */
public final class GroupPartitionLeader {

  /** How long one append may wait for its replicas (Kafka's offsets.commit.timeout.ms is 5 s). */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration RETRY = Duration.ofMillis(500);
  private static final int FETCH_BYTES = 1 << 20;
  /** Records per append at most: a full queue is sent in several. */
  private static final int MAX_RECORDS_PER_WRITE = 2_000;

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

  private enum Tick implements Command { START }

  /** Records waiting to be appended and who waits for them. */
  private record Pending(List<GroupLogRecord> records, ActorRef<Appended> replyTo) {}

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
  private final Deque<Pending> queued = new ArrayDeque<>();
  /** The appends of the write in flight (empty when none is), in the order of their records. */
  private List<Pending> inFlight = List.of();
  private List<GroupLogRecord> inFlightRecords = List.of();
  /** A snapshot is under way: its records or its mark are queued or in flight. */
  private boolean snapshotting;
  /** The snapshot's records until they are written (then its mark is queued). */
  private Pending snapshotPending;
  private long correlation;
  /** While loading: the offset of this epoch's CoordinatorStarted record, and the next offset to read. */
  private long loadEnd = -1;
  private long nextToRead;

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
          send(List.of(new GroupLogRecord.CoordinatorStarted(leaderEpoch)));
          return Behaviors.same();
        })
        .onMessage(Written.class, written -> onStartWritten(written.response()))
        .onMessage(Read.class, read -> onRead(read.response()))
        .onMessage(Request.class, request -> {
          GroupCoordinator.refuse(request.request(), ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
              "the coordinator of " + name() + " on broker " + brokerId + " is loading its groups: retry shortly");
          return Behaviors.same();
        })
        .onMessage(ListGroups.class, list -> {
          list.replyTo().tell(new GroupIds(List.of()));
          return Behaviors.same();
        })
        .onMessage(Append.class, append -> {
          append.replyTo().tell(new Appended(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, "the coordinator is loading"));
          return Behaviors.same();
        })
        .onMessage(GetOffsets.class, get -> {
          get.replyTo().tell(new Offsets(Map.of()));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onStartWritten(ProduceResponse response) {
    inFlightRecords = List.of();
    if (response.error() == ErrorCode.NONE) {
      loadEnd = response.baseOffset();
      nextToRead = 0;
      read();
      return Behaviors.same();
    }
    if (deposed(response.error())) {
      log.info("{}: not the leader in epoch {} any more ({}); its coordinator stops", name(), leaderEpoch,
          response.error());
      return Behaviors.stopped();
    }
    // Too few in-sync replicas, or a write that timed out: the partition may come back; try again.
    log.debug("{}: starting the coordinator failed ({}: {}); retrying", name(), response.error(),
        response.errorMessage());
    timers.startSingleTimer(Tick.START, RETRY);
    return Behaviors.same();
  }

  private void read() {
    dataGateway.tell(new Fetch(++correlation, GroupPartitions.TOPIC, partition, nextToRead, FETCH_BYTES, 0, readReplies,
        leaderEpoch));
  }

  private Behavior<Command> onRead(FetchResponse response) {
    if (response.error() == ErrorCode.OFFSET_OUT_OF_RANGE && nextToRead < response.logStartOffset()) {
      nextToRead = response.logStartOffset(); // a snapshot let retention remove the start
      read();
      return Behaviors.same();
    }
    if (response.error() != ErrorCode.NONE) {
      if (deposed(response.error())) {
        return Behaviors.stopped();
      }
      log.warn("{}: reading the group log failed ({}: {}); retrying", name(), response.error(), response.errorMessage());
      timers.startSingleTimer(Tick.START, RETRY); // from the start: a new CoordinatorStarted bounds the replay
      return Behaviors.same();
    }
    for (RecordBatch batch : RecordBatch.split(ByteBuffer.wrap(response.records()))) {
      for (Record record : batch.records()) {
        if (record.offset() >= nextToRead && record.offset() < loadEnd) {
          replay(record);
        }
      }
      nextToRead = Math.max(nextToRead, batch.nextOffset());
    }
    if (nextToRead < loadEnd) {
      read();
      return Behaviors.same();
    }
    log.info("{}: coordinator for leader epoch {} on broker {} loaded {} group(s) from offsets {}..{}", name(),
        leaderEpoch, brokerId, state.groupIds().size(), state.removableBelow(), loadEnd);
    state.groupIds().forEach(id -> state.group(id).ifPresent(this::countOffsets));
    return serving();
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
          coordinatorOf(request.request().groupId()).tell(request.request());
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
          queued.add(new Pending(List.copyOf(append.records()), append.replyTo()));
          sendQueued();
          return Behaviors.same();
        })
        .onMessage(Written.class, written -> onWritten(written.response()))
        .onMessageEquals(Tick.START, Behaviors::same)
        .build();
  }

  private ActorRef<GroupRequest> coordinatorOf(String groupId) {
    return coordinators.computeIfAbsent(groupId, id -> {
      Optional<GroupLogRecord.Membership> membership = state.group(id).map(GroupLogState.Group::membership)
          .filter(m -> !m.members().isEmpty());
      return context.spawn(GroupCoordinator.create(id, metadata, metrics, context.getSelf(), membership, brokerId),
          "group-" + coordinators.size());
    });
  }

  /** Sends what is queued as one append, unless one is in flight (so records land in the order they came). */
  private void sendQueued() {
    if (!inFlightRecords.isEmpty() || queued.isEmpty()) {
      return;
    }
    List<Pending> taking = new ArrayList<>();
    List<GroupLogRecord> records = new ArrayList<>();
    while (!queued.isEmpty() && (records.isEmpty()
        || records.size() + queued.peek().records().size() <= MAX_RECORDS_PER_WRITE)) {
      Pending next = queued.poll();
      taking.add(next);
      records.addAll(next.records());
    }
    inFlight = taking;
    send(records);
  }

  private void send(List<GroupLogRecord> records) {
    RecordBatchBuilder batch = new RecordBatchBuilder();
    long now = System.currentTimeMillis();
    for (GroupLogRecord r : records) {
      batch.add(GroupLogRecord.key(r), GroupLogRecord.value(r), List.of(), now);
    }
    inFlightRecords = records;
    dataGateway.tell(new Produce(++correlation, GroupPartitions.TOPIC, partition, batch.build().toByteArray(), Acks.ALL,
        (int) WRITE_TIMEOUT.toMillis(), writeReplies, 0, leaderEpoch));
  }

  private Behavior<Command> onWritten(ProduceResponse response) {
    List<Pending> done = inFlight;
    List<GroupLogRecord> records = inFlightRecords;
    inFlight = List.of();
    inFlightRecords = List.of();
    if (response.error() == ErrorCode.NONE) {
      for (int i = 0; i < records.size(); i++) {
        state.apply(records.get(i), response.baseOffset() + i);
      }
      done.forEach(p -> p.replyTo().tell(new Appended(ErrorCode.NONE, "")));
      afterWrite(done, response.baseOffset(), records.size());
      sendQueued();
      return Behaviors.same();
    }
    boolean deposed = deposed(response.error());
    Appended failed = deposed
        ? new Appended(ErrorCode.NOT_COORDINATOR, "broker " + brokerId + " no longer leads " + name()
            + ": refresh metadata and retry on its new leader")
        : new Appended(response.error() == ErrorCode.NOT_ENOUGH_REPLICAS ? ErrorCode.COORDINATOR_NOT_AVAILABLE
            : response.error(), "writing to " + name() + " failed: " + response.errorMessage());
    done.forEach(p -> p.replyTo().tell(failed));
    snapshotting = false;
    snapshotPending = null;
    if (deposed) {
      queued.forEach(p -> p.replyTo().tell(failed));
      log.info("{}: deposed from leader epoch {} ({}); its coordinators stop", name(), leaderEpoch, response.error());
      return Behaviors.stopped();
    }
    sendQueued();
    return Behaviors.same();
  }

  /**
   * Snapshots, as records of this partition: every live key written again, then a mark naming
   * where those start, so the partition's records before them hold nothing a new leader needs.
   * Taken right after a write was acknowledged and before the next is sent, the snapshot is the
   * state of every record before it, and it goes first in the next append.
   */
  private void afterWrite(List<Pending> written, long baseOffset, int recordCount) {
    if (snapshotPending != null && written.contains(snapshotPending)) {
      long start = baseOffset;
      for (Pending p : written) {
        if (p == snapshotPending) {
          break;
        }
        start += p.records().size();
      }
      snapshotPending = null;
      queued.addFirst(new Pending(List.of(new GroupLogRecord.SnapshotMark(start)), context.getSystem().ignoreRef()));
    } else if (snapshotting && snapshotPending == null && written.stream().anyMatch(p -> p.records().stream()
        .anyMatch(GroupLogRecord.SnapshotMark.class::isInstance))) {
      log.debug("{}: snapshot complete; the log may start at {}", name(), state.removableBelow());
      snapshotting = false;
    } else if (!snapshotting && state.recordsSinceSnapshot() >= snapshotEvery) {
      snapshotting = true;
      List<GroupLogRecord> snapshot = state.snapshot();
      if (snapshot.isEmpty()) {
        queued.addFirst(new Pending(List.of(new GroupLogRecord.SnapshotMark(baseOffset + recordCount)),
            context.getSystem().ignoreRef()));
      } else {
        snapshotPending = new Pending(snapshot, context.getSystem().ignoreRef());
        queued.addFirst(snapshotPending);
      }
    }
  }

  /** Whether the partition refused the request because this broker no longer leads it in this epoch. */
  private static boolean deposed(ErrorCode error) {
    return error == ErrorCode.NOT_LEADER || error == ErrorCode.FENCED_LEADER_EPOCH
        || error == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }
}
