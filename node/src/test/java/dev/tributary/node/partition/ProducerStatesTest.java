package dev.tributary.node.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Idempotent-producer bookkeeping on its own: sequences, duplicates, epochs, expiry, snapshots. */
class ProducerStatesTest {

  private static final Duration DAY = Duration.ofDays(1);

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final HandClock clock = new HandClock();
  private final ProducerStates states = new ProducerStates(clock, DAY);

  /** A batch of {@code records} records of producer {@code pid} from {@code baseSequence}. */
  private static RecordBatch batch(long pid, int epoch, int baseSequence, int records) {
    RecordBatchBuilder builder = new RecordBatchBuilder();
    for (int i = 0; i < records; i++) {
      builder.add(null, new byte[] {(byte) i}, List.of(), 1);
    }
    return builder.build(pid, (short) epoch, baseSequence);
  }

  /** Checks and appends the batch at {@code offset}, as the front does; returns the verdict. */
  private static ProducerStates.Verdict offer(ProducerStates states, RecordBatch batch, long offset) {
    ProducerStates.Verdict verdict = states.check(batch);
    if (verdict.error() == ErrorCode.NONE && !verdict.isDuplicate()) {
      states.onAppend(batch, offset);
    }
    return verdict;
  }

  @Test
  void sequencesMustFollowOnAndARetryIsAnsweredWithItsOriginalOffset() {
    assertEquals(ProducerStates.Verdict.APPEND, offer(states, batch(7, 0, 0, 3), 100));
    assertEquals(ProducerStates.Verdict.APPEND, offer(states, batch(7, 0, 3, 2), 103));
    ProducerStates.Verdict retry = offer(states, batch(7, 0, 0, 3), -1);
    assertTrue(retry.isDuplicate());
    assertEquals(100, retry.duplicateOf());
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, offer(states, batch(7, 0, 9, 1), -1).error(), "a gap");
    assertEquals(ProducerStates.Verdict.APPEND, offer(states, batch(8, 0, 0, 1), 105), "another producer");
  }

  @Test
  void aNewEpochStartsAtSequenceZeroAndFencesTheOldOne() {
    offer(states, batch(7, 0, 0, 3), 0);
    assertEquals(ErrorCode.OUT_OF_ORDER_SEQUENCE, offer(states, batch(7, 1, 3, 1), -1).error());
    assertEquals(ProducerStates.Verdict.APPEND, offer(states, batch(7, 1, 0, 1), 3));
    assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH, offer(states, batch(7, 0, 3, 1), -1).error());
  }

  @Test
  void onlyTheLastRememberedBatchesAreRecognisedAsRetries() {
    int n = ProducerStates.REMEMBERED_BATCHES + 1;
    for (int i = 0; i < n; i++) {
      offer(states, batch(7, 0, i, 1), i);
    }
    assertTrue(offer(states, batch(7, 0, 1, 1), -1).isDuplicate(), "still remembered");
    assertFalse(offer(states, batch(7, 0, 0, 1), -1).isDuplicate(), "the oldest is forgotten");
  }

  @Test
  void aProducerIdIsForgottenAfterTheExpirationWithoutWrites() {
    offer(states, batch(7, 0, 0, 1), 0);
    clock.advance(Duration.ofHours(12));
    offer(states, batch(8, 0, 0, 1), 1);
    clock.advance(Duration.ofHours(11));
    assertEquals(0, states.expire(), "23 hours: both remembered");
    offer(states, batch(7, 0, 1, 1), 2); // 7 writes again: its day starts over
    clock.advance(Duration.ofHours(13));
    assertEquals(1, states.expire(), "8 wrote 24 hours ago");
    assertEquals(1, states.size());
    assertTrue(offer(states, batch(7, 0, 1, 1), -1).isDuplicate(), "7 is still remembered");
    assertEquals(ProducerStates.Verdict.APPEND, offer(states, batch(8, 0, 5, 1), 3),
        "8 is a new producer again: any sequence starts afresh");
  }

  @Test
  void aSnapshotRestoresEveryProducerWithItsRememberedBatchesAndLastWrite() {
    for (int i = 0; i < 40; i++) {
      offer(states, batch(7, 2, i * 2, 2), i * 2L);
    }
    offer(states, batch(9, 0, 0, 5), 80);
    byte[] snapshot = states.encode();
    assertEquals(ProducerStates.SNAPSHOT_VERSION, snapshot[0]);

    ProducerStates restored = new ProducerStates(clock, DAY);
    restored.restore(snapshot);
    assertEquals(2, restored.size());
    assertArrayEquals(snapshot, restored.encode(), "encode . restore is the identity");
    assertEquals(78, offer(restored, batch(7, 2, 78, 2), -1).duplicateOf());
    assertEquals(80, offer(restored, batch(9, 0, 0, 5), -1).duplicateOf());
    assertEquals(ErrorCode.INVALID_PRODUCER_EPOCH, offer(restored, batch(7, 1, 80, 1), -1).error());
    assertEquals(ProducerStates.Verdict.APPEND, offer(restored, batch(7, 2, 80, 1), 85));

    clock.advance(DAY);
    assertEquals(2, restored.expire(), "the last write times came along: both expire a day after");
  }

  @Test
  void anEmptyStateHasASnapshotToo() {
    ProducerStates restored = new ProducerStates(clock, DAY);
    restored.restore(states.encode());
    assertEquals(0, restored.size());
  }

  @Test
  void aSnapshotThatIsNotOneOfThisVersionIsRefusedAndLeavesTheStateAlone() {
    offer(states, batch(7, 0, 0, 1), 0);
    byte[] good = states.encode();
    ProducerStates target = new ProducerStates(clock, DAY);
    offer(target, batch(3, 0, 0, 1), 0);
    for (int cut = 0; cut < good.length; cut++) {
      byte[] torn = Arrays.copyOf(good, cut);
      assertThrows(IllegalArgumentException.class, () -> target.restore(torn), "cut at " + cut);
    }
    byte[] longer = Arrays.copyOf(good, good.length + 1);
    assertThrows(IllegalArgumentException.class, () -> target.restore(longer));
    byte[] otherVersion = good.clone();
    otherVersion[0] = 2;
    assertThrows(IllegalArgumentException.class, () -> target.restore(otherVersion));
    assertEquals(1, target.size());
    assertTrue(target.check(batch(3, 0, 0, 1)).isDuplicate(), "the state it had");
  }

  @Test
  void theExpirationMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> new ProducerStates(clock, Duration.ZERO));
  }
}
