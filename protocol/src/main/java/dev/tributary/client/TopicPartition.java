package dev.tributary.client;

import dev.tributary.protocol.TopicNames;

/**
 * A partition of a topic: the one type for it in the client API, the wire messages (group
 * requests carry it as the CBOR map {@code {topic, partition}}; renaming a component breaks the
 * wire) and the broker. Its text form is the partition id, {@link TopicNames#partitionId}.
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {

  /** The partition with this {@link TopicNames#partitionId partition id} ({@code <topic>-<partition>}). */
  public static TopicPartition of(String partitionId) {
    return new TopicPartition(TopicNames.topicOf(partitionId), TopicNames.partitionOf(partitionId));
  }

  /** The partition id, as entity id, persistence id and metric key. */
  public String id() {
    return TopicNames.partitionId(topic, partition);
  }

  /** By topic, then partition number. */
  @Override
  public int compareTo(TopicPartition o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  @Override
  public String toString() {
    return id();
  }
}
