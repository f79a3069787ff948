package dev.tributary.journal.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class LeaderEpochCacheTest {

  /** Epoch 1 from 0, epoch 3 from 100, epoch 4 from 250. */
  private static LeaderEpochCache threeEpochs() {
    LeaderEpochCache cache = new LeaderEpochCache();
    cache.assign(1, 0);
    cache.assign(1, 40);
    cache.assign(3, 100);
    cache.assign(4, 250);
    cache.assign(4, 300);
    return cache;
  }

  @Test
  void aHigherEpochAddsItsFirstOffsetAndTheSameEpochAddsNothing() {
    LeaderEpochCache cache = new LeaderEpochCache();
    assertEquals(LeaderEpochCache.Assignment.ADDED, cache.assign(0, 0));
    assertEquals(LeaderEpochCache.Assignment.UNCHANGED, cache.assign(0, 10));
    assertEquals(LeaderEpochCache.Assignment.ADDED, cache.assign(2, 20));
    assertEquals(List.of(new EpochEntry(0, 0), new EpochEntry(2, 20)), cache.entries());
    assertEquals(OptionalInt.of(2), cache.latestEpoch());
  }

  @Test
  void aLowerEpochIsIgnoredAsKafkaIgnoresIt() {
    LeaderEpochCache cache = threeEpochs();
    assertEquals(LeaderEpochCache.Assignment.IGNORED_LOWER, cache.assign(2, 400));
    assertEquals(threeEpochs().entries(), cache.entries());
  }

  @Test
  void negativeEpochsAreNotCached() {
    LeaderEpochCache cache = new LeaderEpochCache();
    assertEquals(LeaderEpochCache.Assignment.UNCHANGED, cache.assign(-1, 0));
    assertTrue(cache.isEmpty());
    assertEquals(OptionalInt.empty(), cache.latestEpoch());
  }

  @Test
  void theLatestEpochEndsAtTheLogEnd() {
    assertEquals(new EpochEndOffset(4, 333), threeEpochs().endOffsetFor(4, 333));
  }

  @Test
  void anOlderEpochEndsWhereTheNextCachedEpochStarts() {
    LeaderEpochCache cache = threeEpochs();
    assertEquals(new EpochEndOffset(1, 100), cache.endOffsetFor(1, 333));
    assertEquals(new EpochEndOffset(3, 250), cache.endOffsetFor(3, 333));
  }

  @Test
  void anEpochTheLogSkippedIsAnsweredByTheLargestEpochBelowIt() {
    assertEquals(new EpochEndOffset(1, 100), threeEpochs().endOffsetFor(2, 333));
  }

  @Test
  void anEpochBelowTheEarliestEndsWhereTheEarliestStartsAsInKafka() {
    LeaderEpochCache cache = threeEpochs();
    cache.truncateFromStart(120); // epochs 1 is gone; epoch 3 now starts at 120
    assertEquals(new EpochEndOffset(2, 120), cache.endOffsetFor(2, 333));
  }

  @Test
  void anEpochAboveTheLatestAnEmptyCacheAndNoEpochAreUndefined() {
    assertEquals(EpochEndOffset.UNDEFINED, threeEpochs().endOffsetFor(5, 333));
    assertEquals(EpochEndOffset.UNDEFINED, threeEpochs().endOffsetFor(-1, 333));
    assertEquals(EpochEndOffset.UNDEFINED, new LeaderEpochCache().endOffsetFor(0, 0));
    assertTrue(EpochEndOffset.UNDEFINED.isUndefined());
    assertEquals(-1, EpochEndOffset.UNDEFINED.endOffset());
  }

  @Test
  void truncatingFromTheEndDropsEpochsStartingAtOrAfterTheNewEnd() {
    LeaderEpochCache cache = threeEpochs();
    assertFalse(cache.truncateFromEnd(251));
    assertTrue(cache.truncateFromEnd(250));
    assertEquals(List.of(new EpochEntry(1, 0), new EpochEntry(3, 100)), cache.entries());
    assertEquals(new EpochEndOffset(3, 180), cache.endOffsetFor(3, 180));
    assertTrue(cache.truncateFromEnd(0));
    assertTrue(cache.isEmpty());
  }

  @Test
  void truncatingFromTheStartMovesTheEpochHoldingTheNewStartUpToIt() {
    LeaderEpochCache cache = threeEpochs();
    assertFalse(cache.truncateFromStart(0));
    assertTrue(cache.truncateFromStart(150));
    assertEquals(List.of(new EpochEntry(3, 150), new EpochEntry(4, 250)), cache.entries());
    assertTrue(cache.truncateFromStart(250));
    assertEquals(List.of(new EpochEntry(4, 250)), cache.entries());
    assertFalse(cache.truncateFromStart(250));
    assertTrue(cache.truncateFromStart(900)); // beyond every start: the latest epoch holds it
    assertEquals(List.of(new EpochEntry(4, 900)), cache.entries());
  }

  @Test
  void entriesOutOfOrderAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new LeaderEpochCache(List.of(new EpochEntry(2, 0), new EpochEntry(1, 10))));
    assertThrows(IllegalArgumentException.class,
        () -> new LeaderEpochCache(List.of(new EpochEntry(1, 10), new EpochEntry(2, 10))));
    assertThrows(IllegalArgumentException.class, () -> new EpochEntry(-1, 0));
  }
}
