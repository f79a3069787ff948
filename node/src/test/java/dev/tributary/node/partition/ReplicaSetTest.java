package dev.tributary.node.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The leader's replica bookkeeping: high watermark, ISR expansion and shrink, as Kafka's Partition does them. */
class ReplicaSetTest {

  private static final long LAG = 30_000;

  /** Broker 0 leads replicas 0, 1, 2, all in sync, from offset 0 at time 1,000. */
  private static ReplicaSet allInSync() {
    return new ReplicaSet(0, List.of(0, 1, 2), List.of(0, 1, 2), 5, 0, 1_000);
  }

  @Test
  void theHighWatermarkIsTheLowestLogEndInTheIsrOnceEveryMemberHasFetched() {
    ReplicaSet set = allInSync();
    set.fetched(1, 40, 100, 1_100);
    assertEquals(0, set.highWatermark(100, 0), "follower 2 has not fetched since this leader took over");
    set.fetched(2, 70, 100, 1_100);
    assertEquals(40, set.highWatermark(100, 0));
    set.fetched(1, 100, 100, 1_200);
    assertEquals(70, set.highWatermark(100, 40));
  }

  @Test
  void theHighWatermarkNeverMovesBack() {
    ReplicaSet set = allInSync();
    set.fetched(1, 10, 100, 1_100);
    set.fetched(2, 10, 100, 1_100);
    assertEquals(50, set.highWatermark(100, 50), "a follower that truncated does not pull it down");
  }

  @Test
  void aLoneLeaderCommitsItsWholeLog() {
    ReplicaSet set = new ReplicaSet(0, List.of(0), List.of(0), 0, 0, 1_000);
    assertEquals(123, set.highWatermark(123, 0));
  }

  @Test
  void aCaughtUpFollowerIsAddedAndCountsAtOnceWhileTheChangeIsAsked() {
    ReplicaSet set = new ReplicaSet(0, List.of(0, 1, 2), List.of(0, 1), 5, 0, 1_000);
    set.fetched(1, 100, 100, 1_100);
    set.fetched(2, 60, 100, 1_100);
    assertEquals(100, set.highWatermark(100, 0), "follower 2 is not in the ISR");
    assertEquals(Optional.empty(), set.expansion(100, b -> true, 1_100), "not caught up to the high watermark");
    set.fetched(2, 100, 120, 1_200);
    Optional<List<Integer>> grown = set.expansion(100, b -> true, 1_200);
    assertEquals(Optional.of(List.of(0, 1, 2)), grown);
    set.asked(grown.get());
    set.fetched(1, 120, 120, 1_300);
    assertEquals(100, set.highWatermark(120, 100), "the member being added holds the high watermark back");
    assertEquals(Optional.empty(), set.expansion(120, b -> true, 1_300), "one change at a time");
    set.committed(List.of(0, 1, 2), 6);
    assertFalse(set.changePending());
    assertEquals(List.of(0, 1, 2), set.committedIsr());
  }

  @Test
  void aFollowerJoinsOnlyOnceItReachesTheStartOfTheLeadersEpoch() {
    ReplicaSet set = new ReplicaSet(0, List.of(0, 1), List.of(0), 5, 500, 1_000);
    set.fetched(1, 400, 600, 1_100);
    assertEquals(Optional.empty(), set.expansion(300, b -> true, 1_100), "above the high watermark, below 500");
    set.fetched(1, 500, 600, 1_200);
    assertEquals(Optional.of(List.of(0, 1)), set.expansion(300, b -> true, 1_200));
  }

  @Test
  void aFencedBrokerIsNeverAdded() {
    ReplicaSet set = new ReplicaSet(0, List.of(0, 1), List.of(0), 5, 0, 1_000);
    set.fetched(1, 100, 100, 1_100);
    assertEquals(Optional.empty(), set.expansion(100, b -> b != 1, 1_100));
  }

  @Test
  void aFollowerNotCaughtUpForTheLagTimeIsDropped() {
    ReplicaSet set = allInSync();
    set.fetched(1, 100, 100, 2_000);
    set.fetched(2, 50, 100, 2_000);
    assertEquals(Optional.empty(), set.shrink(1_000 + LAG, LAG), "every member counts as caught up at the start");
    set.fetched(1, 200, 200, 1_000 + LAG);
    assertEquals(Optional.of(List.of(0, 1)), set.shrink(1_001 + LAG, LAG));
  }

  @Test
  void fetchingTheLogEndTheLeaderHadAtTheLastFetchCountsAsCaughtUpThen() {
    ReplicaSet set = allInSync();
    set.fetched(1, 100, 100, 1_000);
    set.fetched(2, 100, 100, 1_000);
    set.fetched(2, 100, 150, 20_000); // caught up at its previous fetch (1,000), not now
    set.fetched(2, 150, 200, 40_000); // reached the end the leader had at 20,000: caught up then
    set.fetched(1, 200, 200, 40_000);
    assertEquals(Optional.empty(), set.shrink(20_000 + LAG, LAG));
    assertEquals(Optional.of(List.of(0, 1)), set.shrink(20_001 + LAG, LAG));
  }

  @Test
  void aMemberTheControllerRemovedMustFetchAgainBeforeItRejoins() {
    ReplicaSet set = allInSync();
    set.fetched(1, 100, 100, 1_100);
    set.fetched(2, 100, 100, 1_100);
    set.committed(List.of(0, 1), 6); // broker 2 fenced
    assertEquals(Optional.empty(), set.expansion(100, b -> true, 1_200));
    set.fetched(2, 100, 100, 1_300);
    assertEquals(Optional.of(List.of(0, 1, 2)), set.expansion(100, b -> true, 1_300));
  }

  @Test
  void anOlderPartitionEpochIsIgnoredAndARefusalRestsBeforeAskingAgain() {
    ReplicaSet set = new ReplicaSet(0, List.of(0, 1), List.of(0), 5, 0, 1_000);
    set.committed(List.of(0, 1), 4);
    assertEquals(List.of(0), set.committedIsr());
    set.fetched(1, 10, 10, 1_100);
    set.asked(List.of(0, 1));
    set.changeRefused(2_100);
    assertEquals(Optional.empty(), set.expansion(10, b -> true, 2_000));
    assertTrue(set.expansion(10, b -> true, 2_100).isPresent());
  }
}
