package dev.tributary.node.controller;

import dev.tributary.node.partition.PartitionControl;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** What the active controller does to a topic's partitions once a change to it is committed. */
final class TopicPartitions {

  private TopicPartitions() {}

  /** Deletes every partition's data, then answers: the name can be created again, empty. */
  static void delete(ClusterSharding sharding, TopicMetadata topic, ActorRef<AdminResponse> replyTo) {
    List<CompletableFuture<?>> deletions = new ArrayList<>();
    for (int p = 0; p < topic.partitions(); p++) {
      String id = TopicNames.partitionId(topic.name(), p);
      int partition = p;
      List<Integer> replicas = topic.partition(p).map(PartitionInfo::replicas).orElse(List.of(PartitionShards.UNPLACED));
      for (int broker : replicas) {
        deletions.add(sharding.entityRefFor(Tributary.PARTITION_ENTITY, PartitionShards.replicaId(id, broker))
            .<org.apache.pekko.Done>ask(reply -> new PartitionControl.DeletePartition(topic.name(), partition, reply),
                Duration.ofSeconds(30))
            .toCompletableFuture());
      }
    }
    CompletableFuture.allOf(deletions.toArray(CompletableFuture[]::new)).whenComplete((ok, error) -> {
      if (error == null) {
        replyTo.tell(AdminResponse.ok(topic));
      } else {
        replyTo.tell(AdminResponse.failed(ErrorCode.REQUEST_TIMED_OUT,
            "topic '" + topic.name() + "' is deleted but some partitions did not confirm removing their data: " + error));
      }
    });
  }
}
