package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.node.controller.BrokerSessions.Expired;
import dev.tributary.node.controller.ControllerRecord.FenceBroker;
import dev.tributary.node.controller.ControllerRecord.RegisterBroker;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The session clocks, driven by explicit nanosecond times: nothing here sleeps. */
class BrokerSessionsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(9);
  private static final long SECOND = 1_000_000_000L;
  private static final long TIMEOUT_NANOS = TIMEOUT.toNanos();
  /** System.nanoTime() may be any value, negative too. */
  private static final long T0 = -5_000 * SECOND;

  private final BrokerSessions sessions = new BrokerSessions(TIMEOUT);

  private static ControllerState register(ControllerState state, int brokerId) {
    return state.apply(new RegisterBroker(brokerId, "inc-" + state.index(), "dir-" + brokerId, "h:" + brokerId, ""),
        state.index() + 1).state();
  }

  private static ControllerState fence(ControllerState state, int brokerId) {
    return state.apply(new FenceBroker(brokerId, state.brokers().get(brokerId).epoch()), state.index() + 1).state();
  }

  private static long epoch(ControllerState state, int brokerId) {
    return state.brokers().get(brokerId).epoch();
  }

  private List<Expired> expired(ControllerState state, long now) {
    return sessions.expired(state, now).stream().sorted(Comparator.comparingInt(Expired::brokerId)).toList();
  }

  /** Brokers 1 and 2, registered and live. */
  private static ControllerState twoBrokers() {
    return register(register(ControllerState.empty(), 1), 2);
  }

  @Test
  void restartStartsEverySessionAtNow() {
    ControllerState state = twoBrokers();
    // What this controller heard before (as an earlier term's leader) does not count.
    sessions.heard(1, epoch(state, 1), T0 - 100 * SECOND);

    sessions.restart(state, T0);

    assertEquals(List.of(), expired(state, T0 + TIMEOUT_NANOS), "exactly the timeout is not longer than it");
    assertEquals(List.of(new Expired(1, epoch(state, 1)), new Expired(2, epoch(state, 2))),
        expired(state, T0 + TIMEOUT_NANOS + 1));
  }

  @Test
  void expiredBrokerIsReportedExactlyOnce() {
    ControllerState state = twoBrokers();
    sessions.restart(state, T0);
    sessions.heard(2, epoch(state, 2), T0 + 8 * SECOND);

    assertEquals(List.of(new Expired(1, epoch(state, 1))), expired(state, T0 + 10 * SECOND));
    assertEquals(List.of(), expired(state, T0 + 11 * SECOND), "its fence is already proposed");
    assertEquals(List.of(new Expired(2, epoch(state, 2))), expired(state, T0 + 30 * SECOND));
    assertEquals(List.of(), expired(state, T0 + 60 * SECOND));
  }

  @Test
  void heartbeatsOfTheCurrentEpochKeepTheSessionAlive() {
    ControllerState state = twoBrokers();
    sessions.restart(state, T0);

    for (long t = T0 + 2 * SECOND; t <= T0 + 60 * SECOND; t += 2 * SECOND) {
      sessions.heard(1, epoch(state, 1), t);
      sessions.heard(2, epoch(state, 2), t);
      assertEquals(List.of(), expired(state, t + SECOND));
    }
    sessions.heard(1, epoch(state, 1), T0 + 70 * SECOND);
    assertEquals(List.of(new Expired(2, epoch(state, 2))), expired(state, T0 + 70 * SECOND + 1),
        "broker 2 stopped heartbeating at 60 s");
    assertEquals(List.of(), expired(state, T0 + 79 * SECOND));
    assertEquals(List.of(new Expired(1, epoch(state, 1))), expired(state, T0 + 79 * SECOND + 1));
  }

  @Test
  void failedFenceIsReportedAgain() {
    ControllerState state = twoBrokers();
    sessions.restart(state, T0);
    sessions.heard(2, epoch(state, 2), T0 + 9 * SECOND);
    Expired one = new Expired(1, epoch(state, 1));
    assertEquals(List.of(one), expired(state, T0 + 10 * SECOND));

    sessions.fenceFailed(1);

    assertEquals(List.of(one), expired(state, T0 + 11 * SECOND));
    assertEquals(List.of(), expired(state, T0 + 12 * SECOND));
  }

  @Test
  void heartbeatAfterAnExpiryIsReportedAgainOnItsNextExpiry() {
    ControllerState state = twoBrokers();
    sessions.restart(state, T0);
    sessions.heard(2, epoch(state, 2), T0 + 5 * SECOND);
    assertEquals(List.of(new Expired(1, epoch(state, 1))), expired(state, T0 + 10 * SECOND));

    // The fence did not commit and the broker was heard again: a fresh session.
    sessions.heard(1, epoch(state, 1), T0 + 11 * SECOND);
    assertEquals(List.of(new Expired(2, epoch(state, 2))), expired(state, T0 + 15 * SECOND));
    assertEquals(List.of(new Expired(1, epoch(state, 1))), expired(state, T0 + 20 * SECOND + 1));
  }

  @Test
  void newEpochThisControllerNeverHeardOfGetsAFreshClock() {
    ControllerState before = twoBrokers();
    sessions.restart(before, T0);
    sessions.heard(2, epoch(before, 2), T0 + 30 * SECOND);

    // Broker 1 registered again through another controller (or before this one heard of it),
    // long after its old session would have expired here.
    ControllerState after = register(before, 1);
    long now = T0 + 30 * SECOND;
    assertEquals(List.of(), expired(after, now), "not fenced for the time before its registration was seen");
    assertEquals(List.of(), expired(after, now + TIMEOUT_NANOS));
    assertEquals(List.of(new Expired(1, epoch(after, 1)), new Expired(2, epoch(after, 2))),
        expired(after, now + TIMEOUT_NANOS + 1));
  }

  @Test
  void brokerRegisteredAfterRestartGetsAFreshClock() {
    ControllerState before = register(ControllerState.empty(), 1);
    sessions.restart(before, T0);
    ControllerState after = register(before, 3);

    sessions.heard(1, epoch(after, 1), T0 + 20 * SECOND);
    long seen = T0 + 20 * SECOND;
    assertEquals(List.of(), expired(after, seen));
    assertEquals(List.of(), expired(after, seen + TIMEOUT_NANOS));
    assertEquals(List.of(new Expired(1, epoch(after, 1)), new Expired(3, epoch(after, 3))),
        expired(after, seen + TIMEOUT_NANOS + 1));
  }

  @Test
  void expiredThenReRegisteredBrokerIsTimedOnItsNewEpoch() {
    ControllerState state = twoBrokers();
    sessions.restart(state, T0);
    sessions.heard(2, epoch(state, 2), T0 + 9 * SECOND);
    assertEquals(List.of(new Expired(1, epoch(state, 1))), expired(state, T0 + 10 * SECOND));

    state = fence(state, 1);
    state = register(state, 1);
    sessions.heard(1, epoch(state, 1), T0 + 12 * SECOND);
    sessions.heard(2, epoch(state, 2), T0 + 12 * SECOND);

    assertEquals(List.of(), expired(state, T0 + 21 * SECOND));
    assertEquals(List.of(new Expired(1, epoch(state, 1)), new Expired(2, epoch(state, 2))),
        expired(state, T0 + 21 * SECOND + 1));
  }

  @Test
  void fencedBrokersAreNeverReported() {
    ControllerState state = fence(twoBrokers(), 1);
    sessions.restart(state, T0);
    sessions.heard(2, epoch(state, 2), T0 + 1_000 * SECOND);

    assertEquals(List.of(), expired(state, T0 + 1_000 * SECOND));
    assertEquals(List.of(new Expired(2, epoch(state, 2))), expired(state, T0 + 2_000 * SECOND));

    // Fenced after this controller started its session, and its fence failing to be seen again.
    ControllerState both = fence(state, 2);
    sessions.fenceFailed(2);
    assertEquals(List.of(), expired(both, T0 + 3_000 * SECOND));
  }
}
