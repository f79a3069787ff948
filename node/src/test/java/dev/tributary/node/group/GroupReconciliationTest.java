package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.node.group.GroupReconciliation.Offer;
import dev.tributary.node.group.GroupReconciliation.Refusal;
import dev.tributary.node.group.GroupReconciliation.Report;
import dev.tributary.protocol.ErrorCode;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The group's decisions without actors: targets, epochs, handovers, commit checks. */
class GroupReconciliationTest {

  private static final long SECOND = 1_000_000_000L;

  private final GroupReconciliation group = new GroupReconciliation("g");
  private Map<String, Integer> topics = new HashMap<>(Map.of("t", 6));
  private long now = 0;

  @Test
  void aJoiningMemberTakesOnlyWhatOthersReleased() {
    Offer a = join("a", "t");
    assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), Set.copyOf(a.partitions()));
    apply("a", a);

    Offer b = join("b", "t");
    Set<TopicPartition> bTarget = group.target("b");
    assertEquals(3, bTarget.size());
    assertEquals(List.of(), b.partitions(), "a still owns everything, so b is offered nothing yet");
    assertEquals(bTarget, group.awaitingRevocation("b"));

    // a is told to let go of b's share; b has nothing new to be told.
    List<Offer> pushed = group.changedOffers(Set.of("a", "b"));
    assertEquals(1, pushed.size());
    Offer revocation = pushed.get(0);
    assertEquals("a", revocation.memberId());
    assertEquals(group.target("a"), Set.copyOf(revocation.partitions()));
    assertTrue(Set.copyOf(revocation.partitions()).stream().noneMatch(bTarget::contains));
    assertTrue(revocation.epoch() > a.epoch());

    Offer bAgain = group.heartbeat("b", report(b.epoch(), Set.of(), "t"), topics, now);
    assertEquals(List.of(), bAgain.partitions(), "nothing moves until a applied the revocation");
  }

  @Test
  void handoverWaitsForTheOldOwnerToApplyTheRevocation() {
    Offer a = join("a", "t");
    apply("a", a);
    join("b", "t");
    Offer revocation = group.changedOffers(Set.of("a", "b")).get(0);

    // a's heartbeat before it applied the revocation: it still holds everything.
    group.heartbeat("a", report(a.epoch(), Set.copyOf(a.partitions()), "t"), topics, now);
    assertEquals(List.of(), group.changedOffers(Set.of("a", "b")));
    assertEquals(group.target("b"), group.awaitingRevocation("b"));

    // a applied it: b's share is free, and b is told at once.
    apply("a", revocation);
    List<Offer> pushed = group.changedOffers(Set.of("a", "b"));
    assertEquals(1, pushed.size());
    assertEquals("b", pushed.get(0).memberId());
    assertEquals(group.target("b"), Set.copyOf(pushed.get(0).partitions()));
    assertEquals(Set.of(), group.awaitingRevocation("b"));
  }

  @Test
  void aPartitionIsNeverOfferedToTwoMembersAtOnce() {
    apply("a", join("a", "t"));
    Offer b = join("b", "t");
    Offer c = join("c", "t");
    Map<TopicPartition, String> holder = new HashMap<>();
    record(holder, group.changedOffers(Set.of("a", "b", "c")));
    assertTrue(b.partitions().isEmpty() && c.partitions().isEmpty());
    assertEquals(Set.of("a"), new HashSet<>(holder.values()));
  }

  @Test
  void aLeavingMemberFreesItsPartitionsAtOnce() {
    settle("a", "b");
    assertEquals(3, group.target("a").size());
    group.leave("b", topics);
    List<Offer> pushed = group.changedOffers(Set.of("a"));
    assertEquals(1, pushed.size());
    assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), Set.copyOf(pushed.get(0).partitions()));
    assertTrue(!group.contains("b"));
  }

  @Test
  void aMemberThatMissesItsSessionTimeoutIsRemovedAndItsPartitionsMove() {
    group.join("a", now);
    apply("a", group.heartbeat("a", report(0, Set.of(), "t"), topics, now));
    group.join("b", now);
    group.heartbeat("b", new Report(0, Set.of(), Subscription.of(List.of("t"), "", null), Assignor.DEFAULT, 1_000),
        topics, now);
    apply("a", group.changedOffers(Set.of("a", "b")).get(0));

    now += SECOND / 2;
    group.heartbeat("a", report(group.epoch("a"), group.target("a"), "t"), topics, now);
    assertEquals(List.of(), group.evictExpired(now, topics), "half its timeout: b stays");

    now += SECOND;
    group.heartbeat("a", report(group.epoch("a"), group.target("a"), "t"), topics, now);
    assertEquals(List.of(new GroupReconciliation.Expired("b", 1_000)), group.evictExpired(now, topics));
    assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), group.target("a"));
    assertEquals(partitions("t", 0, 1, 2, 3, 4, 5), Set.copyOf(group.changedOffers(Set.of("a")).get(0).partitions()));
  }

  @Test
  void commitsFromUnknownMembersNonOwnersAndStaleEpochsAreRefused() {
    assertEquals(Optional.empty(), group.checkCommit("", 0, partitions("t", 0)), "no members: anyone may commit");
    settle("a", "b");
    TopicPartition ofA = group.target("a").iterator().next();
    TopicPartition ofB = group.target("b").iterator().next();
    int epoch = group.epoch("a");

    assertEquals(Optional.empty(), group.checkCommit("a", epoch, Set.of(ofA)));
    assertRefused(ErrorCode.UNKNOWN_MEMBER_ID, group.checkCommit("", 0, Set.of(ofA)));
    assertRefused(ErrorCode.UNKNOWN_MEMBER_ID, group.checkCommit("nobody", epoch, Set.of(ofA)));
    assertRefused(ErrorCode.NOT_PARTITION_OWNER, group.checkCommit("a", epoch, Set.of(ofA, ofB)));
    assertRefused(ErrorCode.STALE_MEMBER_EPOCH, group.checkCommit("a", epoch + 1, Set.of(ofA)));
  }

  @Test
  void aCommitAtAnEpochBeforeThePartitionArrivedIsStaleButOneForAPartitionThatStayedIsNot() {
    settle("a", "b");
    int before = group.epoch("a");
    Set<TopicPartition> kept = group.target("a");
    group.leave("b", topics);
    apply("a", group.changedOffers(Set.of("a")).get(0));
    Set<TopicPartition> arrived = new TreeSet<>(group.target("a"));
    arrived.removeAll(kept);
    assertEquals(3, arrived.size());
    assertTrue(group.epoch("a") > before);
    // A rebalance does not disturb a member's commits for the partitions it kept.
    assertEquals(Optional.empty(), group.checkCommit("a", before, kept));
    for (TopicPartition p : arrived) {
      assertRefused(ErrorCode.STALE_MEMBER_EPOCH, group.checkCommit("a", before, Set.of(p)));
      assertEquals(Optional.empty(), group.checkCommit("a", group.epoch("a"), Set.of(p)));
    }
  }

  @Test
  void aPatternSubscriptionPicksUpTopicsCreatedLater() {
    topics = new HashMap<>(Map.of("orders-eu", 2, "payments", 4));
    group.join("a", now);
    Report byPattern = new Report(0, Set.of(), Subscription.of(List.of(), ".*orders-.*", null), Assignor.DEFAULT, 0);
    apply("a", group.heartbeat("a", byPattern, topics, now));
    assertEquals(partitions("orders-eu", 0, 1), group.target("a"));
    int generation = group.generation();

    topics.put("orders-us", 1);
    topics.put("__orders-internal", 1); // internal topics never match a pattern
    Offer next = group.heartbeat("a", new Report(group.epoch("a"), group.target("a"),
        Subscription.of(List.of(), ".*orders-.*", group.subscription("a").orElseThrow()), Assignor.DEFAULT, 0),
        topics, now);
    Set<TopicPartition> expected = new TreeSet<>(partitions("orders-eu", 0, 1));
    expected.add(new TopicPartition("orders-us", 0));
    assertEquals(expected, group.target("a"));
    assertEquals(expected, Set.copyOf(next.partitions()));
    assertEquals(generation + 1, group.generation());
  }

  @Test
  void theGenerationGoesUpOnEveryChangeAndOnlyThen() {
    apply("a", join("a", "t"));
    assertEquals(1, group.generation());
    join("b", "t");
    assertEquals(2, group.generation());
    group.heartbeat("a", report(group.epoch("a"), group.target("a"), "t"), topics, now);
    assertEquals(2, group.generation(), "a heartbeat that changes nothing");
    join("c", "not-created-yet");
    assertEquals(2, group.generation(), "a member that gets nothing changes no target");
    topics.put("t", 8);
    group.heartbeat("a", report(group.epoch("a"), group.target("a"), "t"), topics, now);
    assertEquals(3, group.generation(), "the topic grew");
    group.leave("b", topics);
    assertEquals(4, group.generation());
    group.leave("c", topics);
    assertEquals(4, group.generation(), "c held nothing, so no target changed");
  }

  @Test
  void theGroupUsesTheAssignorMostMembersPrefer() {
    for (String id : List.of("a", "b", "c")) {
      group.join(id, now);
      String assignor = id.equals("a") ? StickyAssignor.NAME : RangeAssignor.NAME;
      group.heartbeat(id, new Report(0, Set.of(), Subscription.of(List.of("t"), "", null), assignor, 0), topics, now);
    }
    assertEquals(RangeAssignor.NAME, group.assignor());
  }

  // ---------------------------------------------------------------- helpers

  // ---------------------------------------------------------------- the group log

  /** The group as the next coordinator rebuilds it: its membership through the log's bytes. */
  private GroupReconciliation restoredFromLog() {
    GroupLogRecord.Membership written = group.membership();
    GroupLogRecord decoded = GroupLogRecord.decode(GroupLogRecord.key(written), GroupLogRecord.value(written));
    return GroupReconciliation.restored((GroupLogRecord.Membership) decoded, now);
  }

  @Test
  void aRestoredGroupKnowsItsMembersWhoKeepTheirEpochsAndPartitions() {
    settle("a", "b");
    int generation = group.generation();
    Map<String, Integer> epochs = Map.of("a", group.epoch("a"), "b", group.epoch("b"));
    Map<String, Set<TopicPartition>> targets = Map.of("a", group.target("a"), "b", group.target("b"));

    GroupReconciliation restored = restoredFromLog();
    assertTrue(restored.contains("a") && restored.contains("b"));
    assertTrue(!restored.contains("c"), "only the written members");
    for (String id : List.of("a", "b")) {
      // The member heartbeats the new coordinator with what it had: nothing moves.
      Offer offer = restored.heartbeat(id, report(epochs.get(id), targets.get(id), "t"), topics, now);
      assertEquals(epochs.get(id), offer.epoch(), "member " + id + "'s epoch");
      assertEquals(targets.get(id), Set.copyOf(offer.partitions()), "member " + id + "'s partitions");
      assertEquals(Optional.empty(), restored.checkCommit(id, epochs.get(id), targets.get(id)));
    }
    assertEquals(generation, restored.generation(), "no rebalance");
    assertEquals("Stable", restored.phase());
    assertEquals(List.of(), restored.changedOffers(Set.of("a", "b")));
  }

  @Test
  void aRestoredGroupGivesNoPartitionAwayBeforeItsHolderReports() {
    settle("a", "b");
    Set<TopicPartition> heldByA = group.target("a");
    GroupReconciliation restored = restoredFromLog();
    restored.join("c", now);
    Offer c = restored.heartbeat("c", report(0, Set.of(), "t"), topics, now);
    assertTrue(c.partitions().stream().noneMatch(heldByA::contains), "c offered some of a's " + heldByA + ": " + c);
    assertTrue(c.partitions().stream().noneMatch(group.target("b")::contains), "c offered some of b's: " + c);
    assertEquals(List.of(), c.partitions(), "a and b have not reported yet: c waits");
  }

  private Offer join(String id, String topic) {
    group.join(id, now);
    return group.heartbeat(id, report(0, Set.of(), topic), topics, now);
  }

  /** The member applied the offer: it holds exactly that and reports its epoch. */
  private void apply(String id, Offer offer) {
    assertEquals(id, offer.memberId());
    group.heartbeat(id, new Report(offer.epoch(), Set.copyOf(offer.partitions()),
        group.subscription(id).orElseThrow(), Assignor.DEFAULT, 0), topics, now);
  }

  /** Members join one after the other and every offer is applied until nothing changes. */
  private void settle(String... ids) {
    for (String id : ids) {
      apply(id, join(id, "t"));
      for (int round = 0; round < 10; round++) {
        List<Offer> pushed = group.changedOffers(Set.of(ids));
        if (pushed.isEmpty()) {
          break;
        }
        pushed.forEach(o -> apply(o.memberId(), o));
      }
    }
    assertEquals("Stable", group.phase());
  }

  private Report report(int appliedEpoch, Set<TopicPartition> owned, String topic) {
    return new Report(appliedEpoch, owned, Subscription.of(List.of(topic), "", null), Assignor.DEFAULT, 0);
  }

  private static Set<TopicPartition> partitions(String topic, int... numbers) {
    Set<TopicPartition> out = new TreeSet<>();
    for (int n : numbers) {
      out.add(new TopicPartition(topic, n));
    }
    return out;
  }

  private static void record(Map<TopicPartition, String> holder, List<Offer> offers) {
    for (Offer o : offers) {
      for (TopicPartition p : o.partitions()) {
        String previous = holder.put(p, o.memberId());
        assertTrue(previous == null || previous.equals(o.memberId()), p + " offered to " + previous + " and " + o.memberId());
      }
    }
  }

  private static void assertRefused(ErrorCode expected, Optional<Refusal> refusal) {
    assertTrue(refusal.isPresent(), "expected " + expected + ", the commit was accepted");
    assertEquals(expected, refusal.get().error(), refusal.get().message());
  }
}
