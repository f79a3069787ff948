package dev.tributary.node;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where partitions live: the seam through which replication will make leader election shard
 * allocation (a partition placed only on a live in-sync replica, after the controller bumps its
 * leader epoch). For now a new partition goes to the broker leading the fewest, and partitions
 * never move while their broker lives.
 */
public final class PartitionAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
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

  @Override
  public Future<Set<String>> rebalance(
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations, Set<String> rebalanceInProgress) {
    // Moving a partition is a leadership change: the controller's decision, never a rebalance.
    return Future.successful(Set.of());
  }
}
