package dev.tributary.node;

import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.TopicMetadata;
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
 * Where partitions live: a partition's shard goes only to the broker the controller names as its
 * leader. Until followers replicate (the data plane of issue 11), every partition has one replica,
 * so its leader is the broker holding its log, and leadership never moves to another broker. While
 * the partition has no leader (its broker fenced) or its leader's broker is away, the shard stays
 * unallocated, so requests wait (and time out) instead of the partition starting again, empty, on
 * a broker that does not hold its log. Partitions of topics without an assignment (created before
 * placement existed) go to the broker leading the fewest. Sharding never rebalances partitions.
 */
public final class PartitionAllocationStrategy extends ShardCoordinator.AbstractShardAllocationStrategy {

  private static final Logger log = LoggerFactory.getLogger(PartitionAllocationStrategy.class);

  private final MetadataView metadata;
  private final Cluster cluster;
  /** Partitions waiting for their broker: logged once when they start waiting, once when they stop. */
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();

  public PartitionAllocationStrategy(MetadataView metadata, Cluster cluster) {
    this.metadata = metadata;
    this.cluster = cluster;
  }

  @Override
  public Future<ActorRef> allocateShard(
      ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    int placed = placedOn(shardId);
    if (placed == OFFLINE) {
      if (waiting.add(shardId)) {
        log.warn("Partition {} has no leader (no live in-sync replica): requests for it wait until one is elected",
            shardId);
      }
      return never();
    }
    if (placed >= 0) {
      for (ActorRef region : currentShardAllocations.keySet()) {
        if (brokerIdOf(region) == placed) {
          if (waiting.remove(shardId)) {
            log.info("Partition {} is back: broker {} is in the cluster again", shardId, placed);
          }
          return Future.successful(region);
        }
      }
      if (waiting.add(shardId)) {
        log.warn("Partition {} lives on broker {}, which is not in the cluster: requests for it wait for that broker",
            shardId, placed);
      }
      // Not a failed future: the coordinator logs those with a stack trace, at every retry of every
      // waiting partition. A future that never completes is the same answer ("not now"): the
      // region asks again every retry-interval. Future.never keeps no callbacks, so nothing piles up.
      return never();
    }
    if (waiting.remove(shardId)) {
      log.info("Partition {} is no longer placed on a broker (its topic is gone or was created again)", shardId);
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

  @SuppressWarnings("unchecked")
  private static Future<ActorRef> never() {
    return (Future<ActorRef>) (Future<?>) Future.never$.MODULE$;
  }

  /** {@link #placedOn}: the partition exists but the controller names no leader for it. */
  private static final int OFFLINE = -2;

  /**
   * The broker id leading this partition (shard id = "topic-partition"), {@link #OFFLINE} if it has
   * none, or -1 if the controller did not place it (no such topic, or one from before placement).
   */
  private int placedOn(String shardId) {
    String topicName;
    int partition;
    try {
      topicName = TopicNames.topicOf(shardId);
      partition = TopicNames.partitionOf(shardId);
    } catch (IllegalArgumentException notAPartitionId) { // NumberFormatException included
      return -1;
    }
    TopicMetadata topic = metadata.current().topics().get(topicName);
    if (topic == null) {
      return -1;
    }
    return topic.partition(partition).map(p -> p.offline() ? OFFLINE : p.leader()).orElse(-1);
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
