package dev.tributary.node.partition;

import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.partition.TopicIdGuard.Standing;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running partition's {@link Standing} against this node's metadata of its topic, worked out
 * again only when that metadata changes (a request pays one map lookup and a reference
 * comparison). A log that recorded no topic id yet (this node had not heard of the topic when the
 * partition started) takes the id it sees now, as it would have at start. Owned by the partition
 * front; its thread only.
 */
final class TopicIdWatch {

  private static final Logger log = LoggerFactory.getLogger(TopicIdWatch.class);

  private final MetadataView metadata;
  private final String topic;
  private final String partitionId;
  private final StorageEngine engine;
  /** The id of the topic the log belongs to (empty until the controller's is known). */
  private Optional<String> topicId;
  /** The metadata the standing was worked out from, and its verdict. */
  private TopicMetadata source;
  private Standing standing;

  TopicIdWatch(MetadataView metadata, String topic, String partitionId, StorageEngine engine,
      Optional<String> topicId) {
    this.metadata = metadata;
    this.topic = topic;
    this.partitionId = partitionId;
    this.engine = engine;
    this.topicId = topicId;
  }

  Standing standing() {
    TopicMetadata current = metadata.topic(topic).orElse(null);
    if (current != source || standing == null) {
      source = current;
      standing = TopicIdGuard.standing(current, topicId);
      if (standing == Standing.ADOPT) {
        String id = current.topicId();
        topicId = Optional.of(id);
        TopicIdGuard.claim(engine, partitionId, topicId).exceptionally(error -> {
          log.warn("Partition {}: could not record topic id {}: {}", partitionId, id, error.toString());
          return Optional.empty();
        });
        standing = Standing.SERVING;
      }
    }
    return standing;
  }
}
