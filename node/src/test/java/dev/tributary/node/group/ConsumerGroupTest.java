package dev.tributary.node.group;

import dev.tributary.node.RunsAlone;
import static dev.tributary.node.TestBroker.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.OffsetAndMetadata;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RebalanceListener;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.GroupRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups against a real broker: shared partitions, commits, restarts, refusals. */
@RunsAlone
class ConsumerGroupTest {

  @TempDir Path dir;

  private static void produce(TributaryClient client, String topic, int count) {
    try (Producer producer = new Producer(client, ProducerSettings.defaults().withBatchSize(64 * 1024))) {
      for (int i = 0; i < count; i++) {
        producer.send(topic, ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
      }
      await(producer.flush());
    }
  }

  /** A member that polls, records what it got, and commits after every poll, until stopped. */
  private static final class Member implements Runnable {
    final String name;
    final TributaryClient client;
    final String group;
    final String topic;
    final ConcurrentLinkedQueue<ConsumerRecord> got;
    final Map<TopicPartition, String> owners;
    final AtomicBoolean stop = new AtomicBoolean();
    final CountDownLatch done = new CountDownLatch(1);
    volatile Throwable failure;

    Member(String name, TributaryClient client, String group, String topic,
        ConcurrentLinkedQueue<ConsumerRecord> got, Map<TopicPartition, String> owners) {
      this.name = name;
      this.client = client;
      this.group = group;
      this.topic = topic;
      this.got = got;
      this.owners = owners;
    }

    @Override
    public void run() {
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST))) {
        consumer.subscribe(group, List.of(topic), new RebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            partitions.forEach(tp -> owners.remove(tp, name));
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            for (TopicPartition tp : partitions) {
              String previous = owners.putIfAbsent(tp, name);
              if (previous != null) {
                failure = new AssertionError(tp + " given to " + name + " while " + previous + " owns it");
              }
            }
          }
        }, 3_000);
        while (!stop.get()) {
          got.addAll(consumer.poll(Duration.ofMillis(200)));
          consumer.commitSync();
        }
      } catch (Throwable t) {
        failure = t;
      } finally {
        done.countDown();
      }
    }
  }

  @Test
  void threeMembersShareTwelvePartitionsAndConsumeEveryRecordOnce() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("shared", 12, Map.of()));
      produce(client, "shared", 60_000);
      ConcurrentLinkedQueue<ConsumerRecord> got = new ConcurrentLinkedQueue<>();
      Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
      List<Member> members = new ArrayList<>();
      List<TributaryClient> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        startMember(broker, "m" + i, "g1", "shared", got, owners, members, clients);
      }
      Eventually.until(Duration.ofSeconds(60), () -> got.size() >= 60_000, () -> got.size() + " of 60000 records");
      consumeUpToMarkers(client, "shared", 12, List.of(got));
      stopAll(members, clients);
      assertEachRecordOnce(got, 60_000);
    }
  }

  @Test
  void aFourthMemberTakesOnlyWhatMovesAndTheOthersKeepTheirPartitions() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("growing-group", 12, Map.of()));
      produce(client, "growing-group", 12_000);
      ConcurrentLinkedQueue<ConsumerRecord> got = new ConcurrentLinkedQueue<>();
      Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
      List<Member> members = new ArrayList<>();
      List<TributaryClient> clients = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        startMember(broker, "m" + i, "g5", "growing-group", got, owners, members, clients);
      }
      Eventually.until(Duration.ofSeconds(30), () -> settled(owners, List.of("m0", "m1", "m2"), 4),
          () -> "four partitions each for m0, m1, m2: " + owners);
      Map<TopicPartition, String> before = new HashMap<>(owners);
      assertEquals(12, before.size());
      startMember(broker, "m3", "g5", "growing-group", got, owners, members, clients);
      Eventually.until(Duration.ofSeconds(30), () -> settled(owners, List.of("m0", "m1", "m2", "m3"), 3),
          () -> "three partitions each for m0 to m3: " + owners);
      Map<TopicPartition, String> after = new HashMap<>(owners);
      stopAll(members, clients);
      int moved = 0;
      for (Map.Entry<TopicPartition, String> e : after.entrySet()) {
        if (!e.getValue().equals(before.get(e.getKey()))) {
          moved++;
          assertEquals("m3", e.getValue(), e.getKey() + " moved, but not to the new member");
        }
      }
      assertEquals(3, moved, "only the new member's share moved: " + before + " -> " + after);
    }
  }

  @Test
  void aMemberKilledWithoutLeavingIsReplacedAfterItsSessionTimeoutFromItsLastCommit() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("crash-group", 6, Map.of()));
      ConcurrentLinkedQueue<ConsumerRecord> got = new ConcurrentLinkedQueue<>();
      Map<TopicPartition, String> owners = new ConcurrentHashMap<>();
      List<Member> members = new ArrayList<>();
      List<TributaryClient> clients = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        startMember(broker, "m" + i, "g6", "crash-group", got, owners, members, clients);
      }
      // A third member in a child JVM: the CLI, printing each value it consumes.
      Path printed = dir.resolve("child.out");
      String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
              "dev.tributary.node.cli.TributaryCli", "consume", "crash-group", "--group", "g6", "--from-beginning",
              "--bootstrap", broker.bootstrap())
          .redirectOutput(printed.toFile())
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      int[] produced = {0};
      int total;
      try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
        // Produce in batches until the child has printed a share, then kill it mid-stream.
        Eventually.until(Duration.ofSeconds(60), () -> {
          for (int i = 0; i < 200; i++, produced[0]++) {
            producer.send("crash-group", ("k" + produced[0]).getBytes(StandardCharsets.UTF_8),
                ("v" + produced[0]).getBytes(StandardCharsets.UTF_8));
          }
          await(producer.flush());
          return lines(printed) > 300;
        }, () -> "the child to print 300 records (it printed " + lines(printed) + ")");
        total = produced[0];
        new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        for (int i = 0; i < 2_000; i++, total++) {
          producer.send("crash-group", ("k" + total).getBytes(StandardCharsets.UTF_8),
              ("v" + total).getBytes(StandardCharsets.UTF_8));
        }
        await(producer.flush());
      }
      Set<String> seen = new HashSet<>(Files.readAllLines(printed));
      assertTrue(seen.size() > 300, "the child consumed its share before it died: " + seen.size());
      Set<String> all = new HashSet<>(seen);
      int expected = total;
      Eventually.until(Duration.ofSeconds(60), () -> {
        got.forEach(r -> all.add(new String(r.value(), StandardCharsets.UTF_8)));
        return all.size() >= expected;
      }, () -> all.size() + " of " + expected + " records");
      stopAll(members, clients);
      assertEquals(total, all.size(), "after the session timeout the others took the dead member's partitions");
    }
  }

  /** Fan-out: two groups on one topic each get every record, once per group. */
  @Test
  void twoGroupsOnOneTopicEachGetEveryRecord() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("fanout", 4, Map.of()));
      produce(client, "fanout", 6_000);
      ConcurrentLinkedQueue<ConsumerRecord> billing = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<ConsumerRecord> analytics = new ConcurrentLinkedQueue<>();
      List<Member> members = new ArrayList<>();
      List<TributaryClient> clients = new ArrayList<>();
      startMember(broker, "b0", "billing", "fanout", billing, new ConcurrentHashMap<>(), members, clients);
      startMember(broker, "b1", "billing", "fanout", billing, new ConcurrentHashMap<>(), members, clients);
      startMember(broker, "a0", "analytics", "fanout", analytics, new ConcurrentHashMap<>(), members, clients);
      Eventually.until(Duration.ofSeconds(60), () -> billing.size() >= 6_000 && analytics.size() >= 6_000,
          () -> billing.size() + " and " + analytics.size() + " of 6000 records");
      consumeUpToMarkers(client, "fanout", 4, List.of(billing, analytics));
      stopAll(members, clients);
      assertEachRecordOnce(billing, 6_000);
      assertEachRecordOnce(analytics, 6_000);
    }
  }

  /**
   * A member whose thread stops polling keeps heartbeating (heartbeats have a thread of their own),
   * so without a poll deadline its partitions would never move: past its max poll interval it
   * leaves, the other member takes everything, and its next poll joins again and gets a share back.
   */
  @Test
  void aMemberThatStopsPollingLeavesAfterItsMaxPollIntervalAndRejoinsOnItsNextPoll() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("slow", 4, Map.of()));
      ConsumerSettings settings = ConsumerSettings.defaults().withMaxPollInterval(Duration.ofSeconds(1));
      try (Consumer slow = new Consumer(client, settings); Consumer busy = new Consumer(client, settings)) {
        slow.subscribe("g-slow", List.of("slow"), RebalanceListener.NONE);
        busy.subscribe("g-slow", List.of("slow"), RebalanceListener.NONE);
        pollBothUntil(slow, busy, () -> slow.assignment().size() == 2 && busy.assignment().size() == 2);

        // Only busy polls now: slow's member leaves after a second and busy takes all four.
        pollUntil(busy, () -> busy.assignment().size() == 4);

        // slow polls again: it drops what it held, joins again, and the two share the partitions.
        pollBothUntil(slow, busy, () -> slow.assignment().size() == 2 && busy.assignment().size() == 2);
        Set<TopicPartition> union = new HashSet<>(slow.assignment());
        union.addAll(busy.assignment());
        assertEquals(4, union.size(), "every partition owned once");
      }
    }
  }

  private static void pollBothUntil(Consumer a, Consumer b, java.util.function.BooleanSupplier done) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "gave up waiting: " + a.assignment() + " / " + b.assignment());
      a.poll(Duration.ofMillis(50));
      b.poll(Duration.ofMillis(50));
    }
  }

  /** A group is listed while it has members, even before its first commit, and not once it is empty and bare. */
  @Test
  void aGroupWithMembersButNoCommitsIsListedUntilItsLastMemberLeaves() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("listed", 1, Map.of()));
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults().withAutoCommitInterval(Duration.ZERO))) {
        consumer.subscribe("g-uncommitted", List.of("listed"), RebalanceListener.NONE);
        assertTrue(await(client.listGroups()).contains("g-uncommitted"), "listed while it has a member");
      }
      assertTrue(!await(client.listGroups()).contains("g-uncommitted"), "no members and no offsets: not a group");
    }
  }

  /**
   * A live member rides out a broker restart on the same address and data: its client reaches the
   * new incarnation (Artery drops messages to a quarantined one until a handshake, which the
   * client's reconnector starts); the coordinator is new, so the member is told it is unknown, drops
   * its partitions, joins again and resumes from the committed offsets: nothing lost, and having
   * committed before the restart, nothing repeated.
   */
  @Test
  void aLiveMemberRejoinsAfterABrokerRestartAndResumesFromItsCommits() throws Exception {
    int port = TestBroker.freePort();
    dev.tributary.node.BrokerSettings settings = dev.tributary.node.BrokerSettings.defaults().withDataDir(dir).withPort(port);
    TestBroker first = TestBroker.start(settings);
    Set<String> values = new HashSet<>();
    try (TributaryClient memberClient = first.client();
         Consumer consumer = new Consumer(memberClient, ConsumerSettings.defaults()
             .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST))) {
      try (TributaryClient client = first.client()) {
        await(client.createTopic("survive", 2, Map.of()));
        produce(client, "survive", 100);
      }
      consumer.subscribe("g-restart", List.of("survive"), RebalanceListener.NONE, 3_000);
      pollInto(consumer, values, 100);
      consumer.commitSync();
      first.close();

      try (TestBroker second = TestBroker.start(settings); TributaryClient client = second.client()) {
        try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
          for (int i = 100; i < 200; i++) {
            producer.send("survive", ("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
          }
          await(producer.flush());
        }
        pollInto(consumer, values, 200);
        consumer.close(); // commits and leaves while the broker is still up
      }
    }
  }

  /** Polls until {@code values} holds {@code total} distinct values, failing on any repeat, for at most 60 s. */
  private static void pollInto(Consumer consumer, Set<String> values, int total) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (values.size() < total) {
      assertTrue(System.nanoTime() < deadline, "gave up at " + values.size() + " of " + total);
      for (ConsumerRecord r : consumer.poll(Duration.ofMillis(200))) {
        assertTrue(values.add(new String(r.value(), StandardCharsets.UTF_8)), "consumed twice: " + r);
      }
    }
  }

  /**
   * {@code got} holds {@code expected} records with distinct values, besides the markers of
   * {@link #consumeUpToMarkers}: each consumed, none twice.
   */
  private static void assertEachRecordOnce(Collection<ConsumerRecord> got, int expected) {
    Set<String> values = new HashSet<>();
    int markers = 0;
    for (ConsumerRecord r : got) {
      String value = new String(r.value(), StandardCharsets.UTF_8);
      assertTrue(values.add(value), "consumed twice: " + r);
      markers += value.startsWith(MARKER) ? 1 : 0;
    }
    assertEquals(expected, values.size() - markers, "every record consumed");
  }

  private static final String MARKER = "marker-";

  /**
   * Produces a marker at the end of every partition, after everything else, and waits until each
   * of {@code groups} consumed every marker. A partition is consumed in order, so a record
   * delivered twice (say, re-read from an old commit after a rebalance) would come before its
   * partition's marker: once the markers are in, so is every duplicate.
   */
  private static void consumeUpToMarkers(TributaryClient client, String topic, int partitions,
      List<Collection<ConsumerRecord>> groups) {
    try (Producer producer = new Producer(client, ProducerSettings.defaults())) {
      for (int p = 0; p < partitions; p++) {
        producer.send(topic, p, MARKER.getBytes(StandardCharsets.UTF_8),
            (MARKER + p).getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis());
      }
      await(producer.flush());
    }
    for (Collection<ConsumerRecord> got : groups) {
      Eventually.until(Duration.ofSeconds(30), () -> markers(got) >= partitions,
          () -> partitions + " markers (got " + markers(got) + ")");
    }
  }

  private static long markers(Collection<ConsumerRecord> got) {
    return got.stream().filter(r -> new String(r.value(), StandardCharsets.UTF_8).startsWith(MARKER)).count();
  }

  /** The lines a child process printed so far (0 before it created its file). */
  private static int lines(Path file) {
    try {
      return Files.exists(file) ? Files.readAllLines(file).size() : 0;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Starts a member with a client of its own, on a thread of its own. */
  private static void startMember(TestBroker broker, String name, String group, String topic,
      ConcurrentLinkedQueue<ConsumerRecord> got, Map<TopicPartition, String> owners,
      List<Member> members, List<TributaryClient> clients) {
    TributaryClient c = broker.client();
    clients.add(c);
    Member m = new Member(name, c, group, topic, got, owners);
    members.add(m);
    new Thread(m, "member-" + name).start();
  }

  /** Stops every member, fails with the first member's failure, closes the clients. */
  private static void stopAll(List<Member> members, List<TributaryClient> clients) throws InterruptedException {
    members.forEach(m -> m.stop.set(true));
    for (Member m : members) {
      assertTrue(m.done.await(30, TimeUnit.SECONDS));
      if (m.failure != null) {
        throw new AssertionError(m.name + " failed", m.failure);
      }
    }
    clients.forEach(TributaryClient::close);
  }

  /** Every named member owns exactly {@code each} partitions. */
  private static boolean settled(Map<TopicPartition, String> owners, List<String> names, int each) {
    Map<String, Long> counts = new HashMap<>();
    owners.values().forEach(n -> counts.merge(n, 1L, Long::sum));
    return names.stream().allMatch(n -> counts.getOrDefault(n, 0L) == each) && owners.size() == names.size() * each;
  }

  @Test
  void committedOffsetsSurviveARestartAndAMemberResumesFromThem() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("resume", 2, Map.of()));
      produce(client, "resume", 1_000);
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST).withMaxPollRecords(100))) {
        consumer.subscribe("g2", List.of("resume"), RebalanceListener.NONE, 3_000);
        int read = 0;
        while (read < 300) {
          read += consumer.poll(Duration.ofMillis(200)).size();
        }
        consumer.commitSync();
      }
    }
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      var description = await(client.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe("g2", r)));
      long committed = description.offsets().stream().mapToLong(GroupRequest.CommittedOffset::offset).sum();
      assertTrue(committed >= 300 && committed < 1_000, "committed " + committed);
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST))) {
        consumer.subscribe("g2", List.of("resume"), RebalanceListener.NONE, 3_000);
        List<ConsumerRecord> rest = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (rest.size() < 1_000 - committed && System.nanoTime() < deadline) {
          rest.addAll(consumer.poll(Duration.ofMillis(200)));
        }
        assertEquals(1_000 - committed, rest.size(), "resumes at the committed offsets, nothing again");
      }
    }
  }

  @Test
  void autoCommitAndCommitAsyncStorePositionsWithoutCommitSync() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("auto", 1, Map.of()));
      produce(client, "auto", 50);
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST)
          .withAutoCommitInterval(Duration.ofMillis(100)))) {
        consumer.subscribe("g7", List.of("auto"), RebalanceListener.NONE, 3_000);
        int read = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (read < 50 && System.nanoTime() < deadline) {
          read += consumer.poll(Duration.ofMillis(200)).size();
        }
        TopicPartition tp = new TopicPartition("auto", 0);
        long committed = -1;
        while (committed != 50 && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(150)); // auto-commit happens inside poll
          committed = consumer.committed(tp).map(OffsetAndMetadata::offset).orElse(-1L);
        }
        assertEquals(50, committed, "auto-commit stored the position");
        produce(client, "auto", 10);
        while (read < 60 && System.nanoTime() < deadline) {
          read += consumer.poll(Duration.ofMillis(200)).size();
        }
        await(consumer.commitAsync());
        assertEquals(60, consumer.committed(tp).map(OffsetAndMetadata::offset).orElse(-1L));

        // Explicit offsets with a metadata string come back as committed; too long a string is refused.
        consumer.commitSync(Map.of(tp, new OffsetAndMetadata(55, "checkpoint-7")));
        assertEquals(java.util.Optional.of(new OffsetAndMetadata(55, "checkpoint-7")), consumer.committed(tp));
        TributaryException tooLong = assertThrows(TributaryException.class,
            () -> consumer.commitSync(Map.of(tp, new OffsetAndMetadata(56, "x".repeat(4097)))));
        assertEquals(ErrorCode.OFFSET_METADATA_TOO_LARGE, tooLong.code());
        var description = await(client.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe("g7", r)));
        var member = description.members().get(0);
        var refused = await(client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.CommitOffsets("g7",
            member.memberId(), member.memberEpoch(),
            List.of(new GroupRequest.CommittedOffset(new TopicPartition("auto", 0), 57, "y".repeat(4097))), r)));
        assertEquals(ErrorCode.OFFSET_METADATA_TOO_LARGE, refused.error(), "the coordinator checks other clients too");
        await(consumer.commitAsync(Map.of(tp, new OffsetAndMetadata(60, "done"))));
        assertEquals(java.util.Optional.of(new OffsetAndMetadata(60, "done")), consumer.committed(tp));
      }
    }
  }

  @Test
  void staleCommitsLiveResetsAndMissingOffsetsAreRefused() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("rules", 2, Map.of()));
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults())) {
        consumer.subscribe("g3", List.of("rules"), RebalanceListener.NONE, 3_000);
        consumer.poll(Duration.ofMillis(300));
        var description = await(client.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe("g3", r)));
        assertEquals(1, description.members().size());
        var member = description.members().get(0);
        var stale = await(client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.CommitOffsets("g3",
            member.memberId(), member.memberEpoch() - 5,
            List.of(new GroupRequest.CommittedOffset(new TopicPartition("rules", 0), 0, "")), r)));
        assertEquals(ErrorCode.STALE_MEMBER_EPOCH, stale.error());
        var reset = await(client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.ResetOffsets("g3",
            List.of(new GroupRequest.CommittedOffset(new TopicPartition("rules", 0), 0, "")), r)));
        assertEquals(ErrorCode.GROUP_NOT_EMPTY, reset.error());
        assertTrue(reset.errorMessage().contains("live member"), reset.errorMessage());
      }
      try (Consumer strict = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.NONE))) {
        strict.subscribe("g4", List.of("rules"), RebalanceListener.NONE, 3_000);
        TributaryException e = assertThrows(TributaryException.class, () -> {
          long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
          while (System.nanoTime() < deadline) {
            strict.poll(Duration.ofMillis(200));
          }
        });
        assertEquals(ErrorCode.NO_COMMITTED_OFFSET, e.code());
      }
    }
  }

  /**
   * The coordinator pushes a changed assignment to the member's inbox at once: a member that
   * sends no heartbeat learns that it must give partitions up, and the new owner learns that it
   * may take them as soon as the old owner lets go, each without a heartbeat of its own.
   */
  @Test
  void newAssignmentsArePushedToMembersWithoutWaitingForTheirHeartbeat() throws Exception {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("pushed", 4, Map.of()));
      java.util.concurrent.BlockingQueue<GroupRequest.HeartbeatResponse> inboxA = new java.util.concurrent.LinkedBlockingQueue<>();
      java.util.concurrent.BlockingQueue<GroupRequest.HeartbeatResponse> inboxB = new java.util.concurrent.LinkedBlockingQueue<>();
      var refA = inbox(client, "a", inboxA);
      var refB = inbox(client, "b", inboxB);
      List<String> topics = List.of("pushed");
      var a = await(client.<GroupRequest.HeartbeatResponse>group(r -> new GroupRequest.Heartbeat(
          "push", "", 0, topics, "", List.of(), false, 30_000, "", refA, r)));
      assertEquals(4, a.assignment().size());
      var aStable = await(client.<GroupRequest.HeartbeatResponse>group(r -> new GroupRequest.Heartbeat(
          "push", a.memberId(), a.memberEpoch(), topics, "", a.assignment(), false, 30_000, "", refA, r)));
      assertEquals(a.memberEpoch(), aStable.memberEpoch());
      inboxA.clear();

      var b = await(client.<GroupRequest.HeartbeatResponse>group(r -> new GroupRequest.Heartbeat(
          "push", "", 0, topics, "", List.of(), false, 30_000, "", refB, r)));
      assertEquals(List.of(), b.assignment(), "A still holds every partition");
      GroupRequest.HeartbeatResponse revoke = inboxA.poll(10, TimeUnit.SECONDS);
      assertTrue(revoke != null, "A was not told to give partitions up");
      assertTrue(revoke.memberEpoch() > a.memberEpoch());
      assertEquals(2, revoke.assignment().size());

      // A lets go (one heartbeat reporting what it applied); B is told at once.
      await(client.<GroupRequest.HeartbeatResponse>group(r -> new GroupRequest.Heartbeat(
          "push", a.memberId(), revoke.memberEpoch(), topics, "", revoke.assignment(), false, 30_000, "", refA, r)));
      GroupRequest.HeartbeatResponse take = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && (take == null || take.assignment().size() < 2)) {
        take = inboxB.poll(1, TimeUnit.SECONDS);
      }
      assertTrue(take != null && take.assignment().size() == 2, "B was not told it may take its partitions: " + take);
      Set<TopicPartition> union = new HashSet<>(revoke.assignment());
      union.addAll(take.assignment());
      assertEquals(4, union.size(), "A and B together hold every partition once");
    }
  }

  private static org.apache.pekko.actor.typed.ActorRef<GroupRequest.HeartbeatResponse> inbox(
      TributaryClient client, String name, java.util.concurrent.BlockingQueue<GroupRequest.HeartbeatResponse> into) {
    return client.system().systemActorOf(
        org.apache.pekko.actor.typed.javadsl.Behaviors.receive(GroupRequest.HeartbeatResponse.class)
            .onMessage(GroupRequest.HeartbeatResponse.class, r -> {
              into.add(r);
              return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
            })
            .build(),
        "test-inbox-" + name, org.apache.pekko.actor.typed.Props.empty());
  }

  @Test
  void anUnknownAssignorIsRefusedWithTheNamesThatExist() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("assigned", 2, Map.of()));
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults().withAssignor("cooperative"))) {
        TributaryException e = assertThrows(TributaryException.class,
            () -> consumer.subscribe("g-assignor", List.of("assigned"), RebalanceListener.NONE));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("unknown assignor 'cooperative'") && e.getMessage().contains("round-robin"),
            e.getMessage());
      }
      try (Consumer ranged = new Consumer(client, ConsumerSettings.defaults().withAssignor("range"))) {
        ranged.subscribe("g-assignor", List.of("assigned"), RebalanceListener.NONE);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ranged.assignment().size() < 2 && System.nanoTime() < deadline) {
          ranged.poll(Duration.ofMillis(100));
        }
        assertEquals(2, ranged.assignment().size(), "a lone member with range gets every partition");
        assertEquals("range", await(client.<GroupRequest.GroupDescription>group(
            r -> new GroupRequest.Describe("g-assignor", r))).assignor(), "the group uses what its members prefer");
      }
    }
  }

  @Test
  void aPatternSubscriptionTakesMatchingTopicsIncludingOnesCreatedLater() {
    try (TestBroker broker = TestBroker.start(dir); TributaryClient client = broker.client()) {
      await(client.createTopic("orders-eu", 2, Map.of()));
      await(client.createTopic("payments", 1, Map.of()));
      try (Consumer consumer = new Consumer(client, ConsumerSettings.defaults()
          .withAutoOffsetReset(ConsumerSettings.OffsetReset.EARLIEST))) {
        consumer.subscribe("g-pattern", java.util.regex.Pattern.compile("orders-.*"), RebalanceListener.NONE);
        pollUntil(consumer, () -> consumer.assignment().size() == 2);
        assertEquals(Set.of(new TopicPartition("orders-eu", 0), new TopicPartition("orders-eu", 1)),
            consumer.assignment());

        await(client.createTopic("orders-us", 2, Map.of()));
        produce(client, "orders-us", 10);
        List<ConsumerRecord> fromNewTopic = new ArrayList<>();
        pollUntil(consumer, () -> fromNewTopic.size() == 10, fromNewTopic);
        assertEquals(4, consumer.assignment().size(), "orders-eu and orders-us, never payments");
        assertTrue(fromNewTopic.stream().allMatch(r -> r.topic().equals("orders-us")));
      }
      // Our client compiles the pattern itself; the coordinator still checks what any client sends.
      var refused = await(client.<GroupRequest.HeartbeatResponse>group(r -> new GroupRequest.Heartbeat(
          "g-pattern-2", "", 0, List.of(), "orders-(", List.of(), false, 10_000, "", null, r)));
      assertEquals(ErrorCode.INVALID_REQUEST, refused.error());
      assertTrue(refused.errorMessage().contains("not a valid regular expression"), refused.errorMessage());
    }
  }

  private static void pollUntil(Consumer consumer, java.util.function.BooleanSupplier done) {
    pollUntil(consumer, done, new ArrayList<>());
  }

  /** Polls (collecting records into {@code into}) until {@code done}, for at most 20 s. */
  private static void pollUntil(Consumer consumer, java.util.function.BooleanSupplier done, List<ConsumerRecord> into) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "gave up waiting");
      into.addAll(consumer.poll(Duration.ofMillis(100)));
    }
  }
}
