package dev.tributary.node.partition;

import dev.tributary.journal.segment.RetentionPolicy;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.message.TopicMetadata;

/**
 * What a replica reads of its topic's configuration: the effective {@link TopicConfig} (the
 * topic's own settings over the broker defaults, parsed again only when the metadata snapshot of
 * the topic changes) and the retention and segment size it hands its log. Lives on the partition
 * entity's actor.
 */
final class TopicSettings {

  private final MetadataView metadata;
  private final String topic;
  private final TopicConfig defaults;
  private final StorageEngine engine;
  private final String partitionId;
  private TopicMetadata source;
  private TopicConfig cached;

  TopicSettings(MetadataView metadata, String topic, TopicConfig defaults, StorageEngine engine, String partitionId) {
    this.metadata = metadata;
    this.topic = topic;
    this.defaults = defaults;
    this.engine = engine;
    this.partitionId = partitionId;
  }

  /** The topic's effective config now. */
  TopicConfig config() {
    TopicMetadata current = metadata.topic(topic).orElse(null);
    if (current != source || cached == null) {
      source = current;
      cached = current == null ? defaults : defaults.with(current.configs());
    }
    return cached;
  }

  /** Hands the topic's retention and segment size to the log (at start and every bounds refresh). */
  void applyToLog() {
    TopicConfig c = config();
    engine.setRetention(partitionId, new RetentionPolicy(c.retentionBytes(), c.retentionMs()));
    engine.setSegmentBytes(partitionId, c.segmentBytes());
  }
}
