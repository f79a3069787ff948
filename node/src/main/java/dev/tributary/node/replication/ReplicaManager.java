package dev.tributary.node.replication;

import dev.tributary.node.MetadataView;
import dev.tributary.node.partition.PartitionControl;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Starts this broker's replicas and tells them when their partition changes (Kafka's {@code
 * ReplicaManager} applying metadata): at every metadata change, each partition that names this
 * broker as a replica and whose leader, epochs or ISR moved gets a {@link PartitionControl.Wake}
 * at its replica here, which starts it if it is not running and makes it take its role. Replicas
 * of new topics are so started before their first request. Every {@link #REWAKE} it wakes all
 * of them again: a replica that stopped (its writer failed, say) would otherwise wait for a
 * request or a metadata change to start again, and a follower gets no requests.
 */
public final class ReplicaManager {

  private ReplicaManager() {}

  private enum Tick implements NoSerializationVerificationNeeded { METADATA_CHANGED, REWAKE_ALL }

  static final java.time.Duration REWAKE = java.time.Duration.ofSeconds(10);

  public static Behavior<Object> create(int brokerId, MetadataView metadata) {
    return Behaviors.withTimers(timers -> Behaviors.setup(context -> {
      timers.startTimerWithFixedDelay(Tick.REWAKE_ALL, REWAKE);
      ClusterSharding sharding = ClusterSharding.get(context.getSystem());
      Map<String, PartitionInfo> seen = new HashMap<>();
      metadata.onChange(() -> context.getSelf().tell(Tick.METADATA_CHANGED));
      context.getSelf().tell(Tick.METADATA_CHANGED);
      return Behaviors.receiveMessage(message -> {
        if (message == Tick.REWAKE_ALL) {
          seen.clear();
        }
        Set<String> current = new HashSet<>();
        for (TopicMetadata topic : metadata.current().topics().values()) {
          for (int p = 0; p < topic.partitions(); p++) {
            PartitionInfo info = topic.partition(p).orElse(null);
            if (info == null || !info.replicas().contains(brokerId)) {
              continue;
            }
            String id = TopicNames.partitionId(topic.name(), p) + "/" + topic.topicId();
            current.add(id);
            if (!info.equals(seen.put(id, info))) {
              sharding.entityRefFor(Tributary.PARTITION_ENTITY,
                      PartitionShards.replicaId(TopicNames.partitionId(topic.name(), p), brokerId))
                  .tell(new PartitionControl.Wake(topic.name(), p));
            }
          }
        }
        seen.keySet().retainAll(current);
        return Behaviors.same();
      });
    }));
  }
}
