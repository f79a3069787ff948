package dev.tributary.node.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The active controller's clock on each broker's session: when it last heard a heartbeat of the
 * broker's current epoch. Kept in memory only, as Kafka does: heartbeats are not logged; a new
 * active controller starts every registered broker's session afresh, so no broker is fenced for
 * the time an election took. Not thread-safe: the controller actor owns it.
 */
final class BrokerSessions {

  private record Session(long epoch, long lastHeardNanos) {}

  /** A registration whose session expired. */
  record Expired(int brokerId, long epoch) {}

  private final long timeoutNanos;
  private final Map<Integer, Session> sessions = new HashMap<>();
  /** Fences proposed and not yet applied, so an expiry is proposed once. */
  private final Map<Integer, Long> fencing = new HashMap<>();

  BrokerSessions(java.time.Duration sessionTimeout) {
    this.timeoutNanos = sessionTimeout.toNanos();
  }

  /** Starts every live registration's session at {@code nowNanos} (this controller just took over). */
  void restart(ControllerState state, long nowNanos) {
    sessions.clear();
    fencing.clear();
    state.brokers().values().forEach(b -> {
      if (!b.fenced()) {
        sessions.put(b.id(), new Session(b.epoch(), nowNanos));
      }
    });
  }

  /** A heartbeat or registration of this broker epoch arrived. */
  void heard(int brokerId, long epoch, long nowNanos) {
    sessions.put(brokerId, new Session(epoch, nowNanos));
    fencing.remove(brokerId);
  }

  /**
   * The live registrations whose session expired by {@code nowNanos} and are not being fenced yet,
   * as (broker id, epoch); each is then marked as being fenced.
   */
  List<Expired> expired(ControllerState state, long nowNanos) {
    List<Expired> out = new ArrayList<>();
    for (ControllerState.Broker b : state.brokers().values()) {
      if (b.fenced() || Long.valueOf(b.epoch()).equals(fencing.get(b.id()))) {
        continue;
      }
      Session s = sessions.get(b.id());
      if (s == null || s.epoch() != b.epoch()) {
        // Registered through another controller, or before this one heard of it: the clock starts now.
        sessions.put(b.id(), new Session(b.epoch(), nowNanos));
      } else if (nowNanos - s.lastHeardNanos() > timeoutNanos) {
        fencing.put(b.id(), b.epoch());
        out.add(new Expired(b.id(), b.epoch()));
      }
    }
    return out;
  }

  /** A proposed fence did not commit: propose it again at the next expiry check. */
  void fenceFailed(int brokerId) {
    fencing.remove(brokerId);
  }
}
