package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a partition from serving another topic's data. The log records the id of the topic it
 * belongs to (in the log's properties, at its first start once the controller's id is known); a log
 * recorded with another id was left by an earlier topic of the same name whose delete never reached
 * this broker, and is quarantined, never served. The partition then starts empty under the new id.
 * Like Kafka's {@code partition.metadata}.
 */
final class TopicIdGuard {

  /** The key of the topic id in the log's properties. */
  static final String TOPIC_ID = "topic.id";

  private static final Logger log = LoggerFactory.getLogger(TopicIdGuard.class);

  private TopicIdGuard() {}

  /**
   * Makes the log of {@code partitionId} belong to {@code expected} (the controller's topic id, if
   * this node knows it yet). Completes with the id the log belongs to now: {@code expected} when
   * known, else whatever the log recorded (possibly none). Runs on the journal's threads.
   */
  static CompletionStage<Optional<String>> claim(
      StorageEngine engine, String partitionId, Optional<String> expected) {
    return engine.logProperties(partitionId).thenCompose(properties -> {
      Optional<String> recorded = Optional.ofNullable(properties.get(TOPIC_ID));
      if (expected.isEmpty() || expected.equals(recorded)) {
        return CompletableFuture.completedFuture(recorded);
      }
      Map<String, String> updated = new HashMap<>(properties);
      updated.put(TOPIC_ID, expected.get());
      if (recorded.isEmpty()) {
        // A new log, or one written before topic ids were recorded: it is this topic's.
        return engine.setLogProperties(partitionId, updated).thenApply(done -> expected);
      }
      return engine.quarantineLog(partitionId).thenCompose(moved -> {
        log.warn("Partition {}: the log on disk belongs to topic id {}, but the topic now has id {} "
                + "(it was deleted and created again while this broker kept the old data); moved the old "
                + "log to {} and starting the partition empty. Delete that directory once it is not needed.",
            partitionId, recorded.get(), expected.get(), moved);
        return engine.setLogProperties(partitionId, Map.of(TOPIC_ID, expected.get()));
      }).thenApply(done -> expected);
    });
  }
}
