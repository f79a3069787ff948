package dev.tributary.node.partition;

import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.segment.LogInfo;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.node.gateway.DataGateway;
import dev.tributary.node.metrics.BrokerMetrics;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.PartitionShards;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.PartitionCommand;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How a partition's replica starts: it opens its log (again, if an earlier incarnation left it
 * offline), checks the log is its topic's ({@link TopicIdGuard}), loads the log's bounds, latest
 * epoch and producer state, stashing requests meanwhile, then becomes the {@link PartitionEntity}.
 * Nothing is replayed.
 */
final class PartitionStartup {

  private PartitionStartup() {}

  /** What the replica starts from. */
  record Loaded(LogInfo info, OptionalInt latestEpoch, ProducerStateLoader.Loaded producers, Optional<String> topicId)
      implements PartitionEntity.Command, NoSerializationVerificationNeeded {}

  /** The log could not be opened; {@code reason} says why (a message, never the exception itself). */
  record LoadFailed(String reason) implements PartitionEntity.Command, NoSerializationVerificationNeeded {}

  static Behavior<PartitionEntity.Command> start(String replicaId, MetadataView metadata, TopicConfig defaults,
      ActorRef<DataGateway.Command> dataGateway, BrokerMetrics metrics, ReplicaContext broker,
      ActorRef<PartitionCommand> wireSelf) {
    return Behaviors.withStash(10_000, stash ->
        Behaviors.withTimers(timers ->
            Behaviors.setup(context -> {
              String partitionId = PartitionShards.partitionIdOf(replicaId);
              StorageEngine engine = JournalExtension.get(Adapter.toClassic(context.getSystem())).engine();
              Optional<String> controllersTopicId =
                  metadata.topic(TopicNames.topicOf(partitionId)).map(TopicMetadata::topicId);
              Duration expiration = context.getSystem().settings().config()
                  .getDuration("tributary.broker.producer-id-expiration");
              // A log left offline by an earlier incarnation is opened again: recovery cuts what the
              // failed write left, and appends continue after the last complete write.
              context.pipeToSelf(
                  engine.reopenIfOffline(partitionId).thenCompose(reopened ->
                      TopicIdGuard.claim(engine, partitionId, controllersTopicId)).thenCompose(topicId ->
                      engine.logInfo(partitionId).thenCompose(info -> engine.latestEpoch(partitionId).thenCompose(
                          epoch -> ProducerStateLoader
                              .load(engine, partitionId, Math.max(0, info.logStartOffset()),
                                  Math.max(0, info.logEndOffset()), Clock.systemUTC(), expiration)
                              .thenApply(producers -> new Loaded(info, epoch, producers, topicId))))),
                  (loaded, error) -> error == null ? loaded : new LoadFailed(reasonOf(error)));
              return Behaviors.receive(PartitionEntity.Command.class)
                  .onMessage(Loaded.class, loaded -> {
                    PartitionEntity entity = new PartitionEntity(context, replicaId, engine, metadata, defaults, timers,
                        loaded, metrics, dataGateway, broker, wireSelf);
                    dataGateway.tell(new DataGateway.LocalPartitionStarted(replicaId, TopicNames.topicOf(partitionId),
                        TopicNames.partitionOf(partitionId), wireSelf));
                    return stash.unstashAll(entity);
                  })
                  .onMessage(LoadFailed.class, failed -> {
                    String reason = failed.reason();
                    context.getLog().error("Partition {} could not load its log: {}; it answers KAFKA_STORAGE_ERROR"
                        + " until the broker restarts", partitionId, reason);
                    return stash.unstashAll(FailedPartition.create(partitionId, engine, reason));
                  })
                  .onAnyMessage(message -> {
                    stash.stash(message);
                    return Behaviors.same();
                  })
                  .build();
            })));
  }

  static String reasonOf(Throwable error) {
    Throwable cause = Failures.cause(error);
    return cause.getMessage() != null ? cause.getMessage() : cause.toString();
  }
}
