package dev.tributary.node.cli;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Option;

/**
 * The load of {@code perf rebalance} and {@code perf group-failover}: records produced at a steady
 * rate to every partition of a topic, and members of one group consuming it, each remembering when
 * each of its partitions last delivered. Members share one client (one actor system), as consumers
 * in one service would.
 */
final class GroupLoad implements AutoCloseable {
  private static final int RUN = 10;

  /** The load's options, for the benchmarks' commands. */
  static final class Options {
    @Option(names = "--partitions", defaultValue = "64", paramLabel = "<partitions>",
        converter = Ranges.PartitionCount.class,
        description = "Partitions of the topic it creates (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--rate", defaultValue = "20000", paramLabel = "<records-per-s>", converter = Ranges.Positive.class,
        description = "Records/s produced throughout (default: ${DEFAULT-VALUE}).")
    int rate;
  }

  final TributaryClient client;
  final String topic;
  final int partitions;
  final String group;
  /** The member that owns each partition, as the members' rebalance listeners were told. */
  final Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
  final List<Member> members = new CopyOnWriteArrayList<>();
  private final AtomicBoolean producing = new AtomicBoolean(true);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong failedSends = new AtomicLong();
  private final Thread producer;
  /**
   * Per partition, when a record sent after {@link #markProducer} was first acknowledged (-1 until
   * then): the partition takes writes again, as its producers see a failover.
   */
  private final java.util.concurrent.atomic.AtomicLongArray firstAckSinceMark;
  private volatile boolean producerMarked;
  private volatile long producerMarkNanos;

  /** Records a member's poll returns at most. */
  final int maxPollRecords;

  /** Starts producing {@code rate} records/s to {@code topic} (which must exist); members poll the default 500 records. */
  GroupLoad(TributaryClient client, String topic, int partitions, int rate, String group) {
    this.maxPollRecords = ConsumerSettings.defaults().maxPollRecords();
    this.client = client;
    this.topic = topic;
    this.partitions = partitions;
    this.group = group;
    this.firstAckSinceMark = new java.util.concurrent.atomic.AtomicLongArray(partitions);
    for (int i = 0; i < partitions; i++) {
      firstAckSinceMark.set(i, -1);
    }
    producer = new Thread(() -> {
      try (Producer p = new Producer(client, ProducerSettings.defaults())) {
        long start = System.nanoTime();
        long sent = 0;
        while (producing.get()) {
          long due = start + sent * 1_000_000_000L / rate;
          long early = due - System.nanoTime();
          if (early > 0) {
            // sleep, never spin: on two cores a spinning producer starves the members it measures
            java.util.concurrent.locks.LockSupport.parkNanos(Math.max(early, 1_000_000));
            continue;
          }
          // Runs of RUN records per partition, round-robin: every partition gets records at a
          // steady pace (sticky-random partitioning leaves a partition idle for seconds at
          // times, which would read as a pause), in batches big enough not to flood the broker.
          int partition = (int) (sent / RUN % partitions);
          boolean afterMark = producerMarked && System.nanoTime() - producerMarkNanos >= 0;
          p.send(topic, partition, null, new byte[100], List.of(), System.currentTimeMillis())
              .whenComplete((m, e) -> {
                (e == null ? acknowledged : failedSends).incrementAndGet();
                if (e == null && afterMark) {
                  firstAckSinceMark.compareAndSet(partition, -1, System.nanoTime());
                }
              });
          sent++;
          this.sent.set(sent);
        }
      }
    }, "group-load-producer");
    producer.start();
  }

  /** From now on, note when each partition first acknowledges a record sent after {@code nanos}. */
  void markProducer(long nanos) {
    producerMarkNanos = nanos;
    producerMarked = true;
  }

  /**
   * When the last partition first acknowledged a record sent after {@link #markProducer}, if every
   * partition has.
   */
  OptionalLong everyPartitionAckedSinceMark() {
    return latestOf(java.util.stream.IntStream.range(0, partitions).mapToObj(i -> {
      long at = firstAckSinceMark.get(i);
      return at == -1 ? OptionalLong.empty() : OptionalLong.of(at);
    }));
  }

  /**
   * The latest of {@code System.nanoTime()} readings (compared by difference, as nanoTime must be),
   * or empty if any of them is not known yet.
   */
  static OptionalLong latestOf(java.util.stream.Stream<OptionalLong> readings) {
    long latest = 0;
    boolean any = false;
    for (OptionalLong at : (Iterable<OptionalLong>) readings::iterator) {
      if (at.isEmpty()) {
        return OptionalLong.empty();
      }
      if (!any || at.getAsLong() - latest > 0) {
        latest = at.getAsLong();
        any = true;
      }
    }
    return any ? OptionalLong.of(latest) : OptionalLong.empty();
  }

  /** Starts a member of the group, named {@code name}. */
  Member addMember(String name) {
    Member m = new Member(name, this);
    members.add(m);
    new Thread(m, "member-" + name).start();
    return m;
  }

  /** Every partition owned, and the members' shares differing by one at most. */
  boolean settled() {
    if (owners.size() != partitions) {
      return false;
    }
    Map<String, Integer> counts = new HashMap<>();
    owners.values().forEach(n -> counts.merge(n, 1, Integer::sum));
    int low = partitions / members.size();
    return members.stream().allMatch(m -> {
      int n = counts.getOrDefault(m.name, 0);
      return n == low || n == low + 1;
    });
  }

  /** Every owned partition has delivered to its owner since the owner got it. */
  boolean allConsuming() {
    for (Map.Entry<TopicPartition, String> e : owners.entrySet()) {
      Member m = member(e.getValue());
      if (m == null || !m.lastDelivery.containsKey(e.getKey())) {
        return false;
      }
    }
    return true;
  }

  /** The partitions owned that have not delivered to their owner yet, with their owner. */
  Map<TopicPartition, String> notConsuming() {
    Map<TopicPartition, String> out = new java.util.TreeMap<>();
    owners.forEach((tp, name) -> {
      Member m = member(name);
      if (m == null || !m.lastDelivery.containsKey(tp)) {
        out.put(tp, name);
      }
    });
    return out;
  }

  /** The producer's progress and the members' failures, for a message. */
  String progress() {
    return "records sent " + sent.get() + ", acknowledged " + acknowledged.get() + ", failed " + failedSends.get()
        + "; members' failed polls or commits: " + members.stream().mapToLong(m -> m.failures.get()).sum()
        + members.stream().map(m -> m.lastFailure).filter(f -> f != null).findFirst().map(f -> " (" + f + ")").orElse("");
  }

  Member member(String name) {
    return members.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
  }

  /** How many partitions each member owns, by name. */
  Map<String, Integer> counts() {
    Map<String, Integer> counts = new java.util.TreeMap<>();
    owners.values().forEach(n -> counts.merge(n, 1, Integer::sum));
    return counts;
  }

  /** The longest gap between two deliveries of a partition that any member saw since the last clear. */
  long longestGapNanos() {
    return members.stream().flatMap(m -> m.longestGap.values().stream()).max(Long::compare).orElse(0L);
  }

  void clearGaps() {
    members.forEach(m -> m.longestGap.clear());
  }

  /** Stops the members and the producer, and gives the members' last commits a moment. */
  @Override
  public void close() throws InterruptedException {
    members.forEach(m -> m.stop.set(true));
    producing.set(false);
    producer.join();
    Thread.sleep(500);
  }

  static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout,
      java.util.function.Supplier<String> what) throws InterruptedException {
    if (!awaitCondition(condition, timeout)) {
      throw new IllegalStateException("timed out waiting for " + what.get());
    }
  }

  /** Whether {@code condition} held within {@code timeout} (checked every 10 ms). */
  static boolean awaitCondition(java.util.function.BooleanSupplier condition, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /**
   * One member: polls and commits (synchronously) in a loop, remembering when each partition last
   * delivered. A failed poll or commit is counted, and the loop goes on.
   *
   * <p>After {@link #coordinatorMoved} (the client's metadata names the coordinator's new broker),
   * it also remembers when each partition first delivered from a poll that followed a commit
   * acknowledged after that: records that arrive while commits cannot get through do not count as
   * consuming again. A commit the member began before the kill counts once the new coordinator has
   * acknowledged it, since the old one had been dead for the whole failover detection by then. (Not
   * only records produced after the kill count: under this load the members lag by seconds, so that
   * would measure their lag, not the failover.)
   */
  static final class Member implements Runnable {
    final String name;
    private final GroupLoad load;
    final Map<TopicPartition, Long> lastDelivery = new ConcurrentHashMap<>();
    final Map<TopicPartition, Long> longestGap = new ConcurrentHashMap<>();
    final Map<TopicPartition, Long> firstSinceMark = new ConcurrentHashMap<>();
    final AtomicLong failures = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile String lastFailure;
    private volatile boolean coordinatorMoved;
    private volatile long coordinatorMovedNanos;
    /** Written by the member's thread only; {@link #commitAckedSinceMark} is written before it. */
    private volatile boolean committedSinceMark;
    private volatile long commitAckedSinceMark;

    private Member(String name, GroupLoad load) {
      this.name = name;
      this.load = load;
    }

    /**
     * The client's metadata named the coordinator's new broker at {@code nanos}: from now on, track
     * {@link #firstSinceMark} (once per member).
     */
    void coordinatorMoved(long nanos) {
      coordinatorMovedNanos = nanos;
      coordinatorMoved = true;
    }

    /** When the first partition delivered since the mark, if one did. */
    OptionalLong firstDeliverySinceMark() {
      return firstSinceMark.values().stream().mapToLong(Long::longValue).reduce((x, y) -> y - x < 0 ? y : x);
    }

    /** When the last of the partitions this member owns first delivered since the mark, if all did. */
    OptionalLong everyPartitionSinceMark() {
      return latestOf(owned().stream().map(tp -> {
        Long at = firstSinceMark.get(tp);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
      }));
    }

    /** When the new coordinator first acknowledged this member's commit, if it has. */
    OptionalLong firstCommitAckedSinceMark() {
      long at = commitAckedSinceMark;
      return committedSinceMark ? OptionalLong.of(at) : OptionalLong.empty();
    }

    /** The partitions this member owns now. */
    List<TopicPartition> owned() {
      return load.owners.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).toList();
    }

    @Override
    public void run() {
      Map<TopicPartition, String> owners = load.owners;
      try (Consumer consumer = new Consumer(load.client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.LATEST).withMaxPollRecords(load.maxPollRecords))) {
        RebalanceListener listener = new RebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> tps) {
            tps.forEach(tp -> {
              owners.remove(tp, name);
              lastDelivery.remove(tp);
            });
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> tps) {
            tps.forEach(tp -> owners.put(tp, name));
          }
        };
        // The client waits for the coordinator while a fresh cluster creates __groups; should even
        // that run out, join again until it works.
        while (!stop.get()) {
          try {
            consumer.subscribe(load.group, List.of(load.topic), listener, 10_000);
            break;
          } catch (RuntimeException e) {
            failures.incrementAndGet();
            lastFailure = "subscribe: " + e;
          }
        }
        while (!stop.get()) {
          try {
            pollAndCommit(consumer);
          } catch (RuntimeException e) {
            failures.incrementAndGet();
            lastFailure = e.toString();
          }
        }
      }
    }

    private void pollAndCommit(Consumer consumer) {
      List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(100));
      long now = System.nanoTime();
      boolean counts = committedSinceMark;
      for (ConsumerRecord r : records) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        Long last = lastDelivery.put(tp, now);
        if (last != null) {
          longestGap.merge(tp, now - last, Math::max);
        }
        if (counts) {
          firstSinceMark.putIfAbsent(tp, now);
        }
      }
      consumer.commitSync();
      long acked = System.nanoTime();
      if (coordinatorMoved && acked - coordinatorMovedNanos >= 0 && !committedSinceMark) {
        commitAckedSinceMark = acked;
        committedSinceMark = true;
      }
    }
  }
}
