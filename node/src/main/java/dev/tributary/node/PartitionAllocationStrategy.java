package dev.tributary.node;

import dev.tributary.protocol.PartitionShards;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where partition replicas live: the replica {@code <topic>-<partition>@<broker id>} goes only to
 * that broker, whose disk holds its log ({@link PartitionShards}). While the broker is away, the
 * shard stays unallocated, so requests for that replica wait instead of it starting again, empty,
 * on a broker that does not hold its log; the controller moves leadership to another replica
 * meanwhile, which is another entity on another broker. Partitions placed nowhere (topics created
 * before placement existed) go to the broker hosting the fewest. Sharding never rebalances.
 */
public final class PartitionAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

  private static final Logger log = LoggerFactory.getLogger(PartitionAllocationStrategy.class);

  private final Cluster cluster;
  /** Replicas waiting for their broker: logged once when they start waiting, once when they stop. */
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();

  public PartitionAllocationStrategy(Cluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    int pinned = brokerOfShard(shardId);
    if (pinned != PartitionShards.UNPLACED) {
      for (ActorRef region : currentShardAllocations.keySet()) {
        if (brokerIdOf(region) == pinned) {
          if (waiting.remove(shardId)) {
            log.info("Replica {} is back: broker {} is in the cluster again", shardId, pinned);
          }
          return Future.successful(region);
        }
      }
      if (waiting.add(shardId)) {
        log.info("Replica {} lives on broker {}, which is not in the cluster: requests for it wait for that broker",
            shardId, pinned);
      }
      // Not a failed future: the coordinator logs those with a stack trace, at every retry of every
      // waiting replica. A future that never completes is the same answer ("not now"): the
      // region asks again every retry-interval. Future.never keeps no callbacks, so nothing piles up.
      return never();
    }
    ActorRef least = requester;
    int fewest = Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : currentShardAllocations.entrySet()) {
      if (e.getValue().size() < fewest) {
        fewest = e.getValue().size();
        least = e.getKey();
      }
    }
    return Future.successful(least);
  }

  /** The broker a shard (a replica id) is pinned to; {@link PartitionShards#UNPLACED} for any. */
  private static int brokerOfShard(String shardId) {
    try {
      return PartitionShards.brokerOf(shardId);
    } catch (IllegalArgumentException notAReplicaId) { // NumberFormatException included
      return PartitionShards.UNPLACED;
    }
  }

  @SuppressWarnings("unchecked")
  private static Future<ActorRef> never() {
    return (Future<ActorRef>) (Future<?>) Future.never$.MODULE$;
  }

  private int brokerIdOf(ActorRef region) {
    Address address = region.path().address();
    Address self = cluster.selfMember().address();
    Address target = address.hasLocalScope() ? self : address;
    for (Member m : cluster.state().getMembers()) {
      if (m.address().equals(target) && m.status() == MemberStatus.up()) {
        return BrokerIds.of(m);
      }
    }
    return -1;
  }

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    // Moving a partition is a leadership change: the controller's decision, never a rebalance.
    return Future.successful(Set.of());
  }
}
