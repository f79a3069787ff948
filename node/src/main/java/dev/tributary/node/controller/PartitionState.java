package dev.tributary.node.controller;

import dev.tributary.protocol.message.PartitionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * One partition as the controller's log holds it: its replicas, in-sync replicas, leader and
 * epochs, and the election rules that change them (Kafka's {@code PartitionChangeBuilder}, less
 * what we do not have). Pure: every voter applying the same entry reaches the same state.
 *
 * <p>The leader epoch rises at every leader change (going offline included), so a deposed leader's
 * requests are refused; the partition epoch rises at every change at all, so an ISR change asked
 * for against an older state is refused.
 *
 * @param replicas broker ids, the preferred leader first
 * @param isr the in-sync replicas, in replica order; never empty while the partition has data:
 *     the last member stays in it when its broker goes, so only it (holding everything committed)
 *     is elected when it returns
 * @param leader a broker id, or {@link PartitionInfo#NO_LEADER} while offline
 */
public record PartitionState(List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
    int partitionEpoch) {

  public PartitionState {
    replicas = List.copyOf(replicas);
    isr = List.copyOf(isr);
  }

  /** A new partition: every replica in sync (all empty), the first leads. */
  public static PartitionState created(List<Integer> replicas) {
    return new PartitionState(replicas, replicas, replicas.get(0), 0, 0);
  }

  public PartitionInfo info() {
    return new PartitionInfo(leader, leaderEpoch, replicas, isr, partitionEpoch);
  }

  public boolean offline() {
    return leader == PartitionInfo.NO_LEADER;
  }

  /**
   * The broker's session ended (or it came back as a new incarnation): it leaves the ISR, unless it
   * is the last member, and if it led, the first live ISR member in replica order leads instead.
   * With none, the partition goes offline, or with unclean election allowed, the first live
   * replica leads alone.
   */
  public PartitionState withoutBroker(int broker, IntPredicate live, boolean unclean) {
    if (!isr.contains(broker) && leader != broker) {
      return this;
    }
    List<Integer> remaining = new ArrayList<>(isr);
    remaining.remove(Integer.valueOf(broker));
    if (leader != broker) {
      // A follower (or the kept last member of an offline partition) leaves.
      return remaining.isEmpty() ? this : new PartitionState(replicas, remaining, leader, leaderEpoch, partitionEpoch + 1);
    }
    for (int candidate : replicas) {
      if (candidate != broker && remaining.contains(candidate) && live.test(candidate)) {
        return new PartitionState(replicas, remaining, candidate, leaderEpoch + 1, partitionEpoch + 1);
      }
    }
    if (unclean) {
      for (int candidate : replicas) {
        if (candidate != broker && live.test(candidate)) {
          return new PartitionState(replicas, List.of(candidate), candidate, leaderEpoch + 1, partitionEpoch + 1);
        }
      }
    }
    List<Integer> kept = remaining.isEmpty() ? List.of(broker) : remaining;
    return new PartitionState(replicas, kept, PartitionInfo.NO_LEADER, leaderEpoch + 1, partitionEpoch + 1);
  }

  /**
   * The broker registered. With a new data directory it holds none of the partition's data, so it
   * leaves the ISR even as its last member (an empty disk is never elected cleanly). Then an
   * offline partition is led by a live ISR member again, or under unclean election by any live
   * replica.
   */
  public PartitionState afterRegistration(int broker, boolean newDirectory, IntPredicate live, boolean unclean) {
    PartitionState state = this;
    if (newDirectory && isr.contains(broker)) {
      List<Integer> remaining = new ArrayList<>(isr);
      remaining.remove(Integer.valueOf(broker));
      state = new PartitionState(replicas, remaining, leader == broker ? PartitionInfo.NO_LEADER : leader,
          leader == broker ? leaderEpoch + 1 : leaderEpoch, partitionEpoch + 1);
    }
    return state.electIfOffline(live, unclean);
  }

  /** An offline partition led again, cleanly if a live ISR member exists, else uncleanly if allowed. */
  public PartitionState electIfOffline(IntPredicate live, boolean unclean) {
    if (!offline() || !replicas.stream().anyMatch(live::test)) {
      return this;
    }
    for (int candidate : replicas) {
      if (isr.contains(candidate) && live.test(candidate)) {
        return new PartitionState(replicas, isr, candidate, leaderEpoch + 1, partitionEpoch + 1);
      }
    }
    if (unclean) {
      for (int candidate : replicas) {
        if (live.test(candidate)) {
          return new PartitionState(replicas, List.of(candidate), candidate, leaderEpoch + 1, partitionEpoch + 1);
        }
      }
    }
    return this;
  }

  /** Leadership back to the preferred replica, if it is live, in sync and not leading. */
  public PartitionState preferredLeaderElected(IntPredicate live) {
    int preferred = replicas.get(0);
    if (leader == preferred || !isr.contains(preferred) || !live.test(preferred)) {
      return this;
    }
    return new PartitionState(replicas, isr, preferred, leaderEpoch + 1, partitionEpoch + 1);
  }

  /** The ISR its leader asked for (already checked against this state), in replica order. */
  public PartitionState withIsr(List<Integer> newIsr) {
    List<Integer> ordered = replicas.stream().filter(newIsr::contains).toList();
    return new PartitionState(replicas, ordered, leader, leaderEpoch, partitionEpoch + 1);
  }
}
