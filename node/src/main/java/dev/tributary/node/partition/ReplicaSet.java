package dev.tributary.node.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A leader's view of its partition's replicas, as Kafka's {@code Partition} keeps it: how far each
 * follower has copied, when each was last caught up, the ISR the controller committed and the
 * change the leader has asked for. It computes the high watermark and decides when to ask for an
 * ISR expansion or shrink. Pure logic: the partition entity feeds it fetches and metadata.
 *
 * <ul>
 *   <li>The high watermark is the lowest log end over the <em>maximal</em> ISR: the committed ISR
 *       plus a member whose addition is asked for but not committed yet (an expansion counts at
 *       once, so a replica the controller may already count as in sync has the data the high
 *       watermark covers); a member whose removal is asked for still counts until it is committed.
 *       A member that has not fetched since this replica became leader holds it back.
 *   <li>A follower joins once its log end reaches both the high watermark and the start of the
 *       leader's epoch; one that has not been caught up for {@code replica.lag.time.max.ms}
 *       leaves. Caught up means it fetched at the leader's log end, or at the log end the leader
 *       had at its previous fetch (then it counts as caught up at that previous fetch).
 *   <li>One change is asked for at a time.
 * </ul>
 */
final class ReplicaSet {

  /** A follower's progress, as the leader saw it in its fetches. */
  private static final class Follower {
    long logEnd = -1; // unknown until it fetches from this leader
    long lastCaughtUpMs;
    long lastFetchLeaderLogEnd = -1;
    long lastFetchMs;
  }

  private final int self;
  private final List<Integer> replicas;
  private final long epochStartOffset;
  private final Map<Integer, Follower> followers = new HashMap<>();
  private List<Integer> committedIsr;
  private int partitionEpoch;
  /** The ISR asked of the controller and not answered yet; null when none is asked for. */
  private List<Integer> pending;
  private long retryAtMs;

  /**
   * @param epochStartOffset the leader's log end when it became leader in this epoch
   * @param nowMs members of the ISR count as caught up now (they have their leader's lag time to
   *     show it)
   */
  ReplicaSet(int self, List<Integer> replicas, List<Integer> isr, int partitionEpoch, long epochStartOffset,
      long nowMs) {
    this.self = self;
    this.replicas = List.copyOf(replicas);
    this.committedIsr = List.copyOf(isr);
    this.partitionEpoch = partitionEpoch;
    this.epochStartOffset = epochStartOffset;
    for (int r : replicas) {
      if (r != self) {
        Follower f = new Follower();
        f.lastCaughtUpMs = isr.contains(r) ? nowMs : 0;
        followers.put(r, f);
      }
    }
  }

  boolean isReplica(int broker) {
    return followers.containsKey(broker);
  }

  List<Integer> committedIsr() {
    return committedIsr;
  }

  int partitionEpoch() {
    return partitionEpoch;
  }

  boolean changePending() {
    return pending != null;
  }

  /** The ISR asked for and not decided yet; null when none. */
  List<Integer> pendingIsr() {
    return pending;
  }

  /**
   * The controller's committed state, from metadata or its answer. An older partition epoch than
   * this one's is ignored; a newer one ends the pending change (answered or overtaken).
   */
  void committed(List<Integer> isr, int epoch) {
    if (epoch < partitionEpoch) {
      return;
    }
    if (epoch > partitionEpoch) {
      pending = null;
    }
    for (int member : committedIsr) {
      Follower f = followers.get(member);
      if (f != null && !isr.contains(member)) {
        f.logEnd = -1; // out (its broker was fenced, or it lagged): it rejoins by fetching again
      }
    }
    partitionEpoch = epoch;
    committedIsr = List.copyOf(isr);
  }

  /**
   * The controller refused the change asked for (fenced, or against an older epoch, or a replica
   * it does not count live): none is asked for again until {@code retryAtMs}.
   */
  void changeRefused(long retryAtMs) {
    pending = null;
    this.retryAtMs = retryAtMs;
  }

  /** Records a follower's fetch at {@code fetchOffset} while the leader's log ends at {@code leaderLogEnd}. */
  void fetched(int replica, long fetchOffset, long leaderLogEnd, long nowMs) {
    Follower f = followers.get(replica);
    if (f == null) {
      return;
    }
    if (fetchOffset >= leaderLogEnd) {
      f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, nowMs);
    } else if (fetchOffset >= f.lastFetchLeaderLogEnd && f.lastFetchLeaderLogEnd >= 0) {
      f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    }
    f.logEnd = fetchOffset;
    f.lastFetchLeaderLogEnd = leaderLogEnd;
    f.lastFetchMs = nowMs;
  }

  /** The committed ISR with the member being added, if any. */
  List<Integer> maximalIsr() {
    if (pending == null) {
      return committedIsr;
    }
    Set<Integer> union = new LinkedHashSet<>(committedIsr);
    union.addAll(pending);
    return List.copyOf(union);
  }

  /**
   * The high watermark these logs allow: the lowest log end over the maximal ISR, or {@code
   * current} if a member's log end is not known yet. Never below {@code current}.
   */
  long highWatermark(long leaderLogEnd, long current) {
    long lowest = leaderLogEnd;
    for (int member : maximalIsr()) {
      if (member == self) {
        continue;
      }
      Follower f = followers.get(member);
      if (f == null || f.logEnd < 0) {
        return current;
      }
      lowest = Math.min(lowest, f.logEnd);
    }
    return Math.max(current, lowest);
  }

  /**
   * The ISR to ask for to add caught-up followers whose brokers are {@code live}, if any is out of
   * it and no change is asked for or resting after a refusal.
   */
  Optional<List<Integer>> expansion(long highWatermark, java.util.function.IntPredicate live, long nowMs) {
    if (pending != null || nowMs < retryAtMs) {
      return Optional.empty();
    }
    List<Integer> next = new ArrayList<>(committedIsr);
    for (int r : replicas) {
      Follower f = followers.get(r);
      if (f != null && !committedIsr.contains(r) && f.logEnd >= highWatermark && f.logEnd >= epochStartOffset
          && live.test(r)) {
        next.add(r);
      }
    }
    return next.size() == committedIsr.size() ? Optional.empty() : Optional.of(List.copyOf(next));
  }

  /** The ISR to ask for without members not caught up within {@code lagMaxMs}, if any and none is asked for. */
  Optional<List<Integer>> shrink(long nowMs, long lagMaxMs) {
    if (pending != null || nowMs < retryAtMs) {
      return Optional.empty();
    }
    List<Integer> next = new ArrayList<>();
    for (int member : committedIsr) {
      Follower f = followers.get(member);
      if (member == self || f == null || nowMs - f.lastCaughtUpMs <= lagMaxMs) {
        next.add(member);
      }
    }
    return next.size() == committedIsr.size() ? Optional.empty() : Optional.of(List.copyOf(next));
  }

  /** The leader asked the controller for {@code isr}. */
  void asked(List<Integer> isr) {
    pending = List.copyOf(isr);
  }
}
