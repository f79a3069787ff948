package dev.tributary.protocol.message;

/** A topic partition in protocol messages. */
public record PartitionRef(String topic, int partition) implements Comparable<PartitionRef> {
  @Override
  public int compareTo(PartitionRef o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
