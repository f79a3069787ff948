package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.protocol.message.TopicMetadata;
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

  /**
   * Whether the partition may serve, as far as its topic's id goes: the controller's topic of
   * this name has the id its log recorded; or this node has not heard of the topic yet while the
   * log belongs to some topic (retry until it has); or the topic was re-created, so this log is
   * another topic's (restart, and the guard sets it aside).
   */
  enum Standing {
    SERVING(""),
    TOPIC_UNKNOWN("this broker has no metadata for the partition's topic yet; retry"),
    RECREATED("the partition is restarting for its re-created topic; retry"),
    /** The log recorded no id yet: it takes the controller's, as it would have at start. */
    ADOPT("");

    final String refusal;

    Standing(String refusal) {
      this.refusal = refusal;
    }
  }

  /**
   * The standing of a partition whose log recorded {@code recorded}, given this node's metadata of
   * its topic ({@code null}: none yet). Pure: the caller records an adopted id.
   */
  static Standing standing(TopicMetadata current, Optional<String> recorded) {
    if (current == null) {
      return recorded.isPresent() ? Standing.TOPIC_UNKNOWN : Standing.SERVING;
    }
    String id = current.topicId();
    if (id == null || recorded.filter(id::equals).isPresent()) {
      return Standing.SERVING;
    }
    return recorded.isEmpty() ? Standing.ADOPT : Standing.RECREATED;
  }

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
