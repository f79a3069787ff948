package dev.tributary.kafka;

import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Looks up a topic of a request, which newer Kafka request versions name by topic id and older
 * ones by name, in this broker's metadata. Pure.
 */
record KnownTopics(MetadataResponse metadata) {

  /** The topic with {@code name}, or, when the name is null or empty, the one with {@code id}. */
  Optional<TopicMetadata> find(String name, Uuid id) {
    if (name != null && !name.isEmpty()) {
      return Optional.ofNullable(metadata.topics().get(name));
    }
    if (id == null || Uuid.ZERO_UUID.equals(id)) {
      return Optional.empty();
    }
    return metadata.topics().values().stream().filter(t -> MetadataAnswers.uuid(t.topicId()).equals(id)).findFirst();
  }

  /** Whether every topic is known: else a request needs fresher metadata first. */
  boolean knowsAll(Iterable<? extends Named> topics) {
    for (Named t : topics) {
      if (find(t.name(), t.id()).isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** A topic as a request names it. */
  record Named(String name, Uuid id) {}
}
