package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;

/**
 * Where one partition lives, as the controller decided: its replicas, which of them are in sync,
 * and which leads. Broker ids, as in Kafka's metadata.
 *
 * @param leader the leading broker's id, or {@link #NO_LEADER} while the partition is offline (no
 *     live in-sync replica)
 * @param leaderEpoch raised at every leader change, offline included
 * @param replicas the brokers holding the partition, the preferred leader first
 * @param isr the replicas in sync with the leader (the leader included)
 * @param partitionEpoch raised at every change of the partition (leader or ISR); the leader names
 *     it when it asks the controller to change the ISR, so a request made against an older state
 *     changes nothing
 */
public record PartitionInfo(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr,
    int partitionEpoch) implements CborSerializable {

  public static final int NO_LEADER = -1;

  public PartitionInfo {
    replicas = replicas == null ? List.of() : List.copyOf(replicas);
    isr = isr == null ? List.of() : List.copyOf(isr);
  }

  /** At partition epoch 0. */
  public PartitionInfo(int leader, int leaderEpoch, List<Integer> replicas, List<Integer> isr) {
    this(leader, leaderEpoch, replicas, isr, 0);
  }

  public boolean offline() {
    return leader == NO_LEADER;
  }

  /** Fewer replicas in sync than assigned. */
  public boolean underReplicated() {
    return isr.size() < replicas.size();
  }
}
