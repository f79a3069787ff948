package dev.tributary.node;

import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This node's copy of the cluster metadata: what the controller's committed log says, applied by
 * this broker's own voter or pushed by the active controller. Read without asking the controller: partitions read their topic's config here, the
 * gateway answers clients from it. Thread-safe; readers see whole snapshots.
 */
public final class MetadataView {

  private final AtomicReference<MetadataResponse> current =
      new AtomicReference<>(new MetadataResponse(0, Map.of(), List.of()));

  private volatile boolean received;
  private final java.util.List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Runs {@code listener} after every update that changed the metadata (on the updating thread: keep it quick). */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Whether the controller's metadata has arrived at least once. */
  public boolean received() {
    return received;
  }

  public MetadataResponse current() {
    return current.get();
  }

  /** Installs a snapshot unless a newer one is already here ({@link MetadataResponse#supersedes}). */
  public void update(MetadataResponse snapshot) {
    MetadataResponse before = current.get();
    MetadataResponse after = current.accumulateAndGet(snapshot, (old, fresh) -> fresh.supersedes(old) ? fresh : old);
    received = true;
    if (!after.equals(before)) {
      listeners.forEach(Runnable::run);
    }
  }

  public Optional<TopicMetadata> topic(String name) {
    return Optional.ofNullable(current.get().topics().get(name));
  }

  /** Whether the partition exists in the current metadata. */
  public boolean exists(String topic, int partition) {
    return topic(topic).map(t -> partition >= 0 && partition < t.partitions()).orElse(false);
  }

  /** Whether the broker is registered and not fenced. */
  public boolean isLive(int brokerId) {
    return current.get().brokerInfo().stream().anyMatch(b -> b.id() == brokerId && !b.fenced());
  }

  /**
   * The broker whose replica of the partition serves its clients: its leader, {@link
   * PartitionInfo#NO_LEADER} while it is offline or unknown here, or {@link
   * dev.tributary.protocol.PartitionShards#UNPLACED} for a partition of a topic from before
   * placement (one replica, on any broker).
   */
  public int leaderOf(String topic, int partition) {
    TopicMetadata t = current.get().topics().get(topic);
    if (t == null || partition < 0 || partition >= t.partitions()) {
      return PartitionInfo.NO_LEADER;
    }
    return t.partition(partition).map(PartitionInfo::leader).orElse(dev.tributary.protocol.PartitionShards.UNPLACED);
  }

  /**
   * The leader epoch the controller gave the partition, which its leader stamps into every batch
   * it writes (as Kafka does); 0 for topics from before epochs.
   */
  public int leaderEpoch(String topic, int partition) {
    return topic(topic).flatMap(t -> t.partition(partition)).map(PartitionInfo::leaderEpoch).orElse(0);
  }
}
