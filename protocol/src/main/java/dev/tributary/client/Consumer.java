package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.GroupRequest.OffsetsResponse;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads records from partitions assigned by hand, as Kafka's consumer with {@code assign()}: each
 * partition has a position; {@link #poll} returns records from the positions on and moves them.
 * One fetch per partition is kept in flight, so the next records arrive while the caller works on
 * the last ones. Not thread-safe: one thread polls, as in Kafka.
 */
public final class Consumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Consumer.class);

  private final TributaryClient client;
  private final ConsumerSettings settings;
  private final Map<TopicPartition, PartitionState> partitions = new LinkedHashMap<>();
  /** Which partition's buffered records the next poll takes first. */
  private final RotatingDrain drain = new RotatingDrain();
  private final LinkedBlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();

  /** Generations are unique across partitions states, so a fetch for a dropped state never matches a new one. */
  private static final AtomicLong GENERATIONS = new AtomicLong();

  private static final class PartitionState {
    long position = -1; // -1: not known yet; resolved by the reset policy
    long generation = GENERATIONS.incrementAndGet(); // renewed by every seek: fetches for an old position are dropped
    boolean fetching;
    /** After a retriable refusal, no fetch before this (System.nanoTime), so a partition with no leader is not asked in a loop. */
    long backoffUntilNanos;
    final ArrayDeque<ConsumerRecord> buffered = new ArrayDeque<>();
  }

  /** How long a partition's fetches pause after a retriable error (Kafka's retry.backoff.ms). */
  private static final long RETRY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private record Arrival(TopicPartition tp, long generation, long offset, FetchResponse response, Throwable error) {}

  /** Not a fetch: wakes a waiting {@link #poll} because the group sent a new assignment. */
  private static final Arrival NEW_ASSIGNMENT = new Arrival(null, -1, -1, null, null);

  /** Volatile: explicit-offset commits may come from another thread (the streams committer). */
  private volatile GroupMembership group;
  private RebalanceListener listener = RebalanceListener.NONE;

  public Consumer(TributaryClient client, ConsumerSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  // ---------------------------------------------------------------- consumer groups

  /**
   * Joins consumer group {@code groupId} for these topics: the group's coordinator assigns this
   * consumer a share of their partitions, and each starts at the group's committed offset (or
   * {@code autoOffsetReset} when there is none). Assignment changes are applied inside {@link
   * #poll}, with {@code listener} told before partitions go and after new ones come.
   */
  public void subscribe(String groupId, List<String> topics, RebalanceListener listener) {
    subscribe(groupId, topics, listener, 10_000);
  }

  /** {@link #subscribe(String, List, RebalanceListener)} with a session timeout (ms). */
  public void subscribe(String groupId, List<String> topics, RebalanceListener listener,
      int sessionTimeoutMs) {
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("subscribe to at least one topic");
    }
    join(groupId, topics, "", listener, sessionTimeoutMs);
  }

  /**
   * Joins consumer group {@code groupId} for every topic whose whole name matches {@code pattern}
   * (internal {@code __} topics excluded), now and later: the coordinator matches it on every
   * heartbeat, so a matching topic created later is picked up within a heartbeat interval.
   */
  public void subscribe(String groupId, Pattern pattern, RebalanceListener listener) {
    subscribe(groupId, pattern, listener, 10_000);
  }

  /** {@link #subscribe(String, Pattern, RebalanceListener)} with a session timeout (ms). */
  public void subscribe(String groupId, Pattern pattern, RebalanceListener listener,
      int sessionTimeoutMs) {
    join(groupId, List.of(), pattern.pattern(), listener, sessionTimeoutMs);
  }

  private void join(String groupId, List<String> topics, String topicPattern, RebalanceListener listener,
      int sessionTimeoutMs) {
    if (group != null) {
      throw new IllegalStateException("already subscribed to group " + group.groupId());
    }
    partitions.clear();
    this.listener = listener;
    group = new GroupMembership(client, groupId, topics, topicPattern, sessionTimeoutMs, settings.assignor(),
        settings.maxPollInterval(), () -> arrivals.add(NEW_ASSIGNMENT));
    try {
      group.join();
    } catch (RuntimeException e) {
      group.close();
      group = null;
      throw e;
    }
  }

  /** Commits the current position of every assigned partition to the group; waits for the answer. */
  public void commitSync() {
    requireGroup();
    commit(committablePositions());
  }

  /**
   * Commits the current positions without waiting (no retry: a later commit supersedes it). The
   * stage fails with the coordinator's error, for example STALE_MEMBER_EPOCH during a rebalance.
   */
  public CompletionStage<Void> commitAsync() {
    requireGroup();
    return commitAsync(committablePositions());
  }

  /**
   * Commits these offsets, each with its metadata string, and waits (Kafka's {@code
   * commitSync(Map)}). The member must own every partition named.
   */
  public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    requireGroup();
    commit(toCommitted(offsets));
  }

  /** {@link #commitSync(Map)} without waiting. */
  public CompletionStage<Void> commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    requireGroup();
    return commitAsync(toCommitted(offsets));
  }

  private CompletionStage<Void> commitAsync(
      List<CommittedOffset> offsets) {
    if (offsets.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    String groupId = group.groupId();
    String memberId = group.memberId();
    int epoch = group.memberEpoch();
    // Completed on the client's dispatcher: the answer arrives on a remoting thread, which a slow
    // callback of the caller's must not hold.
    return client.<OffsetsResponse>group(replyTo ->
            new GroupRequest.CommitOffsets(groupId, memberId, epoch, offsets, replyTo))
        .thenAcceptAsync(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
        }, client.system().executionContext());
  }

  private static List<CommittedOffset> toCommitted(
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    List<CommittedOffset> out = new ArrayList<>();
    offsets.forEach((tp, o) -> {
      if (o.metadata().length() > OffsetAndMetadata.MAX_METADATA_CHARS) {
        throw new TributaryException(ErrorCode.OFFSET_METADATA_TOO_LARGE, "the metadata for " + tp + " has "
            + o.metadata().length() + " characters; the limit is " + OffsetAndMetadata.MAX_METADATA_CHARS);
      }
      out.add(new CommittedOffset(tp, o.offset(), o.metadata()));
    });
    return out;
  }

  private List<CommittedOffset> committablePositions() {
    List<CommittedOffset> offsets = new ArrayList<>();
    partitions.forEach((tp, s) -> {
      if (s.position >= 0) {
        offsets.add(new CommittedOffset(tp, s.position, ""));
      }
    });
    return offsets;
  }

  private boolean autoCommitEnabled() {
    Duration interval = settings.autoCommitInterval();
    return interval != null && !interval.isZero() && !interval.isNegative();
  }

  /** Auto-commit: from {@code poll}, at most every {@code autoCommitInterval}. */
  private void maybeAutoCommit() {
    Duration interval = settings.autoCommitInterval();
    if (group == null || !autoCommitEnabled()) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastAutoCommitNanos >= interval.toNanos()) {
      lastAutoCommitNanos = now;
      commitAsync().exceptionally(e -> {
        LOG.debug("auto-commit failed; the next one will retry: {}", e.toString());
        return null;
      });
    }
  }

  private long lastAutoCommitNanos = System.nanoTime();

  private void commit(List<CommittedOffset> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    var response = commitOnce(offsets);
    if (response.error() == ErrorCode.STALE_MEMBER_EPOCH) {
      group.refresh(); // a newer epoch may be on its way: learn it, then try once more
      response = commitOnce(offsets);
    }
    if (response.error() != ErrorCode.NONE) {
      throw new TributaryException(response.error(), response.errorMessage());
    }
  }

  private OffsetsResponse commitOnce(
      List<CommittedOffset> offsets) {
    String memberId = group.memberId();
    int epoch = group.memberEpoch();
    return Await.result(client.<OffsetsResponse>group(replyTo ->
            new GroupRequest.CommitOffsets(group.groupId(), memberId, epoch, offsets, replyTo)), Duration.ofSeconds(30),
        "no answer from the group coordinator: the commit may or may not have been stored; commit again");
  }

  /** The group's committed offsets of these partitions (absent: none committed). */
  private Map<TopicPartition, Long> committed(List<TopicPartition> tps) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (tps.isEmpty()) {
      return out;
    }
    String groupId = requireGroup();
    var response = await(client.<OffsetsResponse>group(replyTo ->
        new GroupRequest.FetchOffsets(groupId, tps, replyTo)));
    if (response.error() != ErrorCode.NONE) {
      throw new TributaryException(response.error(), response.errorMessage());
    }
    response.offsets().forEach(o -> out.put(o.partition(), o.offset()));
    return out;
  }

  /** The group's committed offset of a partition and its metadata, if any was committed. */
  public Optional<OffsetAndMetadata> committed(TopicPartition tp) {
    String groupId = requireGroup();
    var response = await(client.<OffsetsResponse>group(replyTo ->
        new GroupRequest.FetchOffsets(groupId, List.of(tp), replyTo)));
    if (response.error() != ErrorCode.NONE) {
      throw new TributaryException(response.error(), response.errorMessage());
    }
    return response.offsets().stream().findFirst().map(o -> new OffsetAndMetadata(o.offset(), o.metadata()));
  }

  private String requireGroup() {
    if (group == null) {
      throw new IllegalStateException("not subscribed to a group: call subscribe first");
    }
    return group.groupId();
  }

  /** Applies the coordinator's latest assignment: revoke (commit first), then take new partitions. */
  private void reconcile() {
    if (group == null || group.assignment() == null) {
      return;
    }
    GroupMembership.Assignment latest = group.assignment();
    Set<TopicPartition> target = new TreeSet<>(Comparator.comparing(TopicPartition::toString));
    target.addAll(latest.partitions());
    List<TopicPartition> revoked = new ArrayList<>();
    for (TopicPartition tp : partitions.keySet()) {
      if (!target.contains(tp)) {
        revoked.add(tp);
      }
    }
    if (!revoked.isEmpty()) {
      LOG.debug("member {} epoch {}: revoking {}", group.memberId(), latest.epoch(), revoked);
      listener.onPartitionsRevoked(revoked);
      List<CommittedOffset> offsets = new ArrayList<>();
      for (TopicPartition tp : revoked) {
        PartitionState s = partitions.get(tp);
        if (s.position >= 0) {
          offsets.add(new CommittedOffset(tp, s.position, ""));
        }
      }
      if (autoCommitEnabled()) {
        try {
          commit(offsets);
        } catch (TributaryException e) {
          // The member moved on (for example it timed out): the new owner starts from the last commit.
        }
      }
      revoked.forEach(partitions::remove);
    }
    List<TopicPartition> added = new ArrayList<>();
    for (TopicPartition tp : target) {
      if (!partitions.containsKey(tp)) {
        added.add(tp);
      }
    }
    // One request for all new partitions' committed offsets: a join takes a share at once.
    Map<TopicPartition, Long> committed = committed(added);
    for (TopicPartition tp : added) {
      PartitionState s = new PartitionState();
      Long offset = committed.get(tp);
      if (offset != null) {
        s.position = offset;
      } else if (settings.autoOffsetReset() == ConsumerSettings.OffsetReset.NONE) {
        throw new TributaryException(ErrorCode.NO_COMMITTED_OFFSET,
            "group " + group.groupId() + " has no committed offset for " + tp + " and auto-offset-reset is none");
      }
      partitions.put(tp, s);
    }
    Set<TopicPartition> owned = new HashSet<>(partitions.keySet());
    group.applied(owned, latest.epoch());
    if (!revoked.isEmpty()) {
      group.refresh(); // tell the coordinator at once, so the new owner need not wait a heartbeat
    }
    if (!added.isEmpty()) {
      LOG.debug("member {} epoch {}: assigned {}", group.memberId(), latest.epoch(), added);
      listener.onPartitionsAssigned(added);
    }
  }

  private static <T> T await(CompletionStage<T> stage) {
    return Await.result(stage, Duration.ofSeconds(30), "no answer from the group coordinator");
  }

  /** Reads exactly these partitions from now on (positions of partitions kept are kept). */
  public void assign(Collection<TopicPartition> assignment) {
    if (group != null) {
      throw new IllegalStateException("subscribed to group " + group.groupId() + ": the group assigns partitions");
    }
    partitions.keySet().retainAll(Set.copyOf(assignment));
    for (TopicPartition tp : assignment) {
      partitions.computeIfAbsent(tp, t -> new PartitionState());
    }
  }

  public Set<TopicPartition> assignment() {
    return Set.copyOf(partitions.keySet());
  }

  /** The offset of the next record {@link #poll} returns for the partition. */
  public long position(TopicPartition tp) {
    PartitionState s = state(tp);
    if (s.position < 0) {
      resetPosition(tp, s);
    }
    return s.position;
  }

  public void seek(TopicPartition tp, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset + "; use seekToBeginning or seekToEnd");
    }
    PartitionState s = state(tp);
    s.position = offset;
    s.generation = GENERATIONS.incrementAndGet();
    s.buffered.clear();
    s.fetching = false;
  }

  public void seekToBeginning(Collection<TopicPartition> tps) {
    tps.forEach(tp -> seek(tp, lookup(tp, ListOffsets.EARLIEST)));
  }

  public void seekToEnd(Collection<TopicPartition> tps) {
    tps.forEach(tp -> seek(tp, lookup(tp, ListOffsets.LATEST)));
  }

  /** Seeks to the first record with a timestamp at least {@code timestamp}, or the end if none. */
  public void seekToTimestamp(TopicPartition tp, long timestamp) {
    long offset = lookup(tp, timestamp);
    seek(tp, offset >= 0 ? offset : lookup(tp, ListOffsets.LATEST));
  }

  private long lookup(TopicPartition tp, long timestamp) {
    return Await.result(client.listOffsets(tp.topic(), tp.partition(), timestamp),
        client.requestTimeout().multipliedBy(2), "offset lookup for " + tp + " timed out").offset();
  }

  /**
   * Returns the records available within {@code timeout}, at most {@code maxPollRecords}, in
   * offset order per partition. Returns as soon as any partition has records.
   */
  public List<ConsumerRecord> poll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (group != null) {
      group.polled();
    }
    maybeAutoCommit();
    while (true) {
      reconcile();
      drainArrivals();
      List<ConsumerRecord> out = takeBuffered();
      if (!out.isEmpty()) {
        startFetches();
        return out;
      }
      startFetches();
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        return List.of();
      }
      try {
        // At most a backoff at a time: a partition refused a moment ago is asked again meanwhile.
        Arrival a = arrivals.poll(Math.min(remaining, RETRY_BACKOFF_NANOS), TimeUnit.NANOSECONDS);
        if (a != null) {
          handle(a);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }
  }

  private void drainArrivals() {
    for (Arrival a; (a = arrivals.poll()) != null; ) {
      handle(a);
    }
  }

  /** Up to {@code max.poll.records} buffered records, the partitions taking turns ({@link RotatingDrain}). */
  private List<ConsumerRecord> takeBuffered() {
    List<PartitionState> states = new ArrayList<>(partitions.values());
    List<ConsumerRecord> out = drain.take(states.stream().map(s -> s.buffered).toList(), settings.maxPollRecords());
    // A partition's records come together: one lookup per partition, not per record.
    PartitionState current = null;
    ConsumerRecord previous = null;
    for (ConsumerRecord r : out) {
      if (previous == null || r.partition() != previous.partition() || !r.topic().equals(previous.topic())) {
        current = partitions.get(new TopicPartition(r.topic(), r.partition()));
      }
      current.position = r.offset() + 1;
      previous = r;
    }
    return out;
  }

  private void startFetches() {
    for (Map.Entry<TopicPartition, PartitionState> e : partitions.entrySet()) {
      TopicPartition tp = e.getKey();
      PartitionState s = e.getValue();
      if (s.fetching || !s.buffered.isEmpty() || System.nanoTime() - s.backoffUntilNanos < 0) {
        continue;
      }
      if (s.position < 0) {
        resetPosition(tp, s);
      }
      s.fetching = true;
      long generation = s.generation;
      long offset = s.position;
      client.sendFetch(tp.topic(), tp.partition(), offset, settings.maxPartitionFetchBytes(), settings.maxWait())
          .whenComplete((response, error) -> arrivals.add(new Arrival(tp, generation, offset, response, error)));
    }
  }

  private void handle(Arrival a) {
    if (a == NEW_ASSIGNMENT) {
      return; // the poll loop reconciles next
    }
    PartitionState s = partitions.get(a.tp());
    if (s == null || s.generation != a.generation()) {
      return; // unassigned or sought since: stale
    }
    s.fetching = false;
    if (a.error() != null) {
      return; // fetched again on the next poll
    }
    FetchResponse r = a.response();
    if (r.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
      if (settings.autoOffsetReset() == ConsumerSettings.OffsetReset.NONE) {
        throw new TributaryException(ErrorCode.OFFSET_OUT_OF_RANGE, r.errorMessage());
      }
      s.position = -1;
      return;
    }
    if (r.error() != ErrorCode.NONE) {
      if (!r.error().retriable()) {
        throw new TributaryException(r.error(), r.errorMessage());
      }
      s.backoffUntilNanos = System.nanoTime() + RETRY_BACKOFF_NANOS;
      if (r.error() == ErrorCode.NOT_LEADER || r.error() == ErrorCode.FENCED_LEADER_EPOCH
          || r.error() == ErrorCode.REQUEST_TIMED_OUT) {
        client.metadata(); // the routing follows the answer; a push would come too, this is sooner
      }
      return;
    }
    for (RecordBatch batch : r.batches()) {
      for (Record record : batch.records()) {
        if (record.offset() >= a.offset()) {
          s.buffered.add(new ConsumerRecord(a.tp().topic(), a.tp().partition(), record.offset(),
              record.timestamp(), record.key(), record.value(), record.headers()));
        }
      }
    }
  }

  private void resetPosition(TopicPartition tp, PartitionState s) {
    switch (settings.autoOffsetReset()) {
      case EARLIEST -> s.position = lookup(tp, ListOffsets.EARLIEST);
      case LATEST -> s.position = lookup(tp, ListOffsets.LATEST);
      default -> throw new TributaryException(ErrorCode.OFFSET_OUT_OF_RANGE,
          "no position for " + tp + " and auto-offset-reset is none: seek first");
    }
  }

  private PartitionState state(TopicPartition tp) {
    PartitionState s = partitions.get(tp);
    if (s == null) {
      throw new IllegalStateException(tp + " is not assigned to this consumer; assign it first");
    }
    return s;
  }

  /** The partitions of a topic, from the cluster's metadata. */
  public List<TopicPartition> partitionsFor(String topic) {
    var m = client.metadata().toCompletableFuture().join();
    var t = m.topics().get(topic);
    if (t == null) {
      throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist");
    }
    List<TopicPartition> out = new ArrayList<>();
    for (int p = 0; p < t.partitions(); p++) {
      out.add(new TopicPartition(topic, p));
    }
    return out;
  }

  /**
   * Leaves the group so its partitions move at once, and stops. With auto-commit on it commits the
   * positions first, as Kafka does; with it off, what to commit is the application's (in the
   * listener's {@code onPartitionsRevoked}, which runs first).
   */
  @Override
  public void close() {
    if (group != null) {
      if (!partitions.isEmpty()) {
        listener.onPartitionsRevoked(List.copyOf(partitions.keySet()));
      }
      if (autoCommitEnabled()) {
        try {
          commitSync();
        } catch (RuntimeException e) {
          // best effort: the next owner starts from the last successful commit
        }
      }
      group.close();
      group = null;
    }
    partitions.clear();
    arrivals.clear();
  }
}
