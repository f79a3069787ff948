package dev.tributary.node.replication;

import dev.tributary.protocol.message.GatewayRequest;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A follower broker's fetch from one leader broker, for every partition it follows there (Kafka's
 * replica {@code Fetch}): sent by that pair's {@link ReplicaFetcher} to the leader's data gateway.
 * The leader answers at once when any partition has data, else when one gets some or after {@code
 * maxWaitMs}.
 *
 * @param fetchId the fetcher's number for this fetch, echoed in the answer
 * @param replicaId the follower's broker id
 * @param brokerEpoch the follower's broker epoch (its current registration)
 * @param maxBytes the most record bytes per partition
 */
public record ReplicaFetch(long fetchId, int replicaId, long brokerEpoch, int maxWaitMs, int maxBytes,
    List<PartitionFetch> partitions, ActorRef<ReplicaFetchResponse> replyTo)
    implements GatewayRequest {

  public ReplicaFetch {
    partitions = List.copyOf(partitions);
  }

  /**
   * One partition of a replica fetch.
   *
   * @param currentLeaderEpoch the leader epoch the follower believes current: an older one is
   *     refused {@code FENCED_LEADER_EPOCH}, a newer one {@code UNKNOWN_LEADER_EPOCH}
   * @param fetchOffset the follower's log end: where to read from, and how far it has copied
   * @param lastFetchedEpoch the epoch of the follower's last batch (-1 if none): the leader checks
   *     that its own log agrees up to {@code fetchOffset} in that epoch
   */
  public record PartitionFetch(String topic, int partition, int currentLeaderEpoch, long fetchOffset,
      int lastFetchedEpoch) {}
}
