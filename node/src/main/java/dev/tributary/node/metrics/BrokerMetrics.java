package dev.tributary.node.metrics;

import dev.tributary.protocol.TopicNames;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's Prometheus metrics: produce and fetch requests, records and bytes per topic,
 * request latency histograms, each local partition's log end offset, high watermark, log start
 * offset and size, and the JVM's memory and GC. One registry per broker (several brokers may share a JVM in tests).
 * Thread-safe.
 */
public final class BrokerMetrics {

  /** What a partition last reported about its log. */
  private record PartitionGauges(String topic, String partition, long logStartOffset, long highWatermark,
      long logEndOffset, long sizeBytes) {}

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Map<String, PartitionGauges> partitions = new ConcurrentHashMap<>();
  /** Committed offsets of the groups coordinated here: group → "topic-partition" key → offset. */
  private final Map<String, Map<String, GroupOffset>> groupOffsets = new ConcurrentHashMap<>();

  private record GroupOffset(String topic, String partition, long offset) {}
  private final Counter produceRequests;
  private final Counter fetchRequests;
  private final Counter producedRecords;
  private final Counter producedBytes;
  private final Counter fetchedBytes;
  private final Counter expiredRequests;
  private final Counter producerStateScannedBatches;
  private final Counter producerIdsExpired;
  private final Counter isrChanges;
  private final Histogram produceLatency;
  private final Histogram fetchLatency;

  public BrokerMetrics() {
    JvmMetrics.builder().register(registry);
    produceRequests = Counter.builder().name("tributary_produce_requests_total")
        .help("Produce requests answered, by topic and outcome").labelNames("topic", "error").register(registry);
    fetchRequests = Counter.builder().name("tributary_fetch_requests_total")
        .help("Fetch requests answered, by topic and outcome").labelNames("topic", "error").register(registry);
    producedRecords = Counter.builder().name("tributary_produced_records_total")
        .help("Records appended, by topic").labelNames("topic").register(registry);
    producedBytes = Counter.builder().name("tributary_produced_bytes_total")
        .help("Record batch bytes appended, by topic").labelNames("topic").register(registry);
    fetchedBytes = Counter.builder().name("tributary_fetched_bytes_total")
        .help("Record batch bytes served to fetches, by topic").labelNames("topic").register(registry);
    expiredRequests = Counter.builder().name("tributary_expired_requests_total")
        .help("Requests dropped unanswered because they reached their partition after their deadline "
            + "(for example while the partition's broker was away), by topic and request type")
        .labelNames("topic", "type").register(registry);
    producerStateScannedBatches = Counter.builder().name("tributary_producer_state_scanned_batches_total")
        .help("Record batches re-read at partition start to rebuild idempotent-producer state: "
            + "the log after the newest producer snapshot, by topic").labelNames("topic").register(registry);
    producerIdsExpired = Counter.builder().name("tributary_producer_ids_expired_total")
        .help("Producer ids forgotten after producer-id-expiration without writes, by topic")
        .labelNames("topic").register(registry);
    isrChanges = Counter.builder().name("tributary_isr_changes_total")
        .help("ISR changes the controller committed for partitions led here, by topic and change (shrink, expand)")
        .labelNames("topic", "change").register(registry);
    produceLatency = Histogram.builder().name("tributary_produce_latency_seconds")
        .help("Time from a produce reaching its partition to its answer").labelNames("topic").register(registry);
    fetchLatency = Histogram.builder().name("tributary_fetch_latency_seconds")
        .help("Time from a fetch reaching its partition to its answer, long polls included")
        .labelNames("topic").register(registry);
    GaugeWithCallback.builder().name("tributary_partition_log_end_offset")
        .help("Offset after the last record stored in each local partition's log, committed or not")
        .labelNames("topic", "partition")
        .callback(cb -> partitions.values().forEach(p -> cb.call(p.logEndOffset(), p.topic(), p.partition())))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_partition_high_watermark")
        .help("High watermark of each local partition as this replica knows it: the records below it are "
            + "committed, and consumers read up to it").labelNames("topic", "partition")
        .callback(cb -> partitions.values().forEach(p -> cb.call(p.highWatermark(), p.topic(), p.partition())))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_partition_log_start_offset")
        .help("First readable offset of each local partition").labelNames("topic", "partition")
        .callback(cb -> partitions.values().forEach(p -> cb.call(p.logStartOffset(), p.topic(), p.partition())))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_partition_size_bytes")
        .help("Bytes on disk of each local partition's log").labelNames("topic", "partition")
        .callback(cb -> partitions.values().forEach(p -> cb.call(p.sizeBytes(), p.topic(), p.partition())))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_group_committed_offset")
        .help("Committed offset of each consumer group coordinated here, by partition")
        .labelNames("group", "topic", "partition")
        .callback(cb -> groupOffsets.forEach((group, offsets) -> offsets.values()
            .forEach(o -> cb.call(o.offset(), group, o.topic(), o.partition()))))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_group_lag")
        .help("Records a consumer group has not committed yet: high watermark (the end consumers can read) "
            + "minus committed offset, for partitions whose log is on this broker")
        .labelNames("group", "topic", "partition")
        .callback(cb -> groupOffsets.forEach((group, offsets) -> offsets.forEach((key, o) -> {
          PartitionGauges log = partitions.get(key);
          if (log != null) {
            cb.call(Math.max(0, log.highWatermark() - o.offset()), group, o.topic(), o.partition());
          }
        })))
        .register(registry);
  }

  /**
   * The controller as this broker sees it: the active controller's epoch, whether this broker is
   * the active controller (1) or not (0), and how many registered brokers are fenced.
   */
  public void controllerGauges(java.util.function.LongSupplier controllerEpoch,
      java.util.function.BooleanSupplier active, java.util.function.LongSupplier fencedBrokers) {
    GaugeWithCallback.builder().name("tributary_controller_epoch")
        .help("The active controller's epoch (its Raft term) as this broker knows it")
        .callback(cb -> cb.call(controllerEpoch.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("tributary_controller_active")
        .help("1 while this broker is the active controller, else 0")
        .callback(cb -> cb.call(active.getAsBoolean() ? 1 : 0)).register(registry);
    GaugeWithCallback.builder().name("tributary_fenced_brokers")
        .help("Registered brokers the controller fenced (their session expired)")
        .callback(cb -> cb.call(fencedBrokers.getAsLong())).register(registry);
  }

  /**
   * Partitions as the controller's metadata places them (Kafka's LeaderCount and
   * UnderReplicatedPartitions of this broker, and the controller's OfflinePartitionsCount, which
   * every broker reports alike from the same metadata).
   */
  public void partitionPlacementGauges(java.util.function.Supplier<dev.tributary.protocol.message.MetadataResponse> metadata,
      int brokerId) {
    GaugeWithCallback.builder().name("tributary_leader_partitions")
        .help("Partitions this broker leads")
        .callback(cb -> cb.call(count(metadata.get(), p -> p.leader() == brokerId))).register(registry);
    GaugeWithCallback.builder().name("tributary_under_replicated_partitions")
        .help("Partitions this broker leads with fewer in-sync replicas than replicas")
        .callback(cb -> cb.call(count(metadata.get(), p -> p.leader() == brokerId && p.underReplicated())))
        .register(registry);
    GaugeWithCallback.builder().name("tributary_offline_partitions")
        .help("Partitions in the cluster with no leader (no live in-sync replica)")
        .callback(cb -> cb.call(count(metadata.get(), dev.tributary.protocol.message.PartitionInfo::offline)))
        .register(registry);
  }

  private static long count(dev.tributary.protocol.message.MetadataResponse metadata,
      java.util.function.Predicate<dev.tributary.protocol.message.PartitionInfo> which) {
    return metadata.topics().values().stream().flatMap(t -> t.partitionInfo().stream()).filter(which).count();
  }

  /** A group committed (or reset) a partition's offset. */
  public void groupOffsetCommitted(String group, String topic, int partition, long offset) {
    groupOffsets.computeIfAbsent(group, g -> new ConcurrentHashMap<>())
        .put(TopicNames.partitionId(topic, partition), new GroupOffset(topic, Integer.toString(partition), offset));
  }

  /** The group's offsets were deleted, or its coordinator stopped here: its series disappear. */
  public void groupForgotten(String group) {
    groupOffsets.remove(group);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public void produced(String topic, String error, int records, int bytes, long nanos) {
    produceRequests.labelValues(topic, error).inc();
    if (records > 0) {
      producedRecords.labelValues(topic).inc(records);
      producedBytes.labelValues(topic).inc(bytes);
    }
    produceLatency.labelValues(topic).observe(nanos / 1e9);
  }

  /** A request of {@code type} (e.g. "produce") reached its partition past its deadline and was dropped. */
  public void expired(String topic, String type) {
    expiredRequests.labelValues(topic, type).inc();
  }

  public void fetched(String topic, String error, int bytes, long nanos) {
    fetchRequests.labelValues(topic, error).inc();
    if (bytes > 0) {
      fetchedBytes.labelValues(topic).inc(bytes);
    }
    fetchLatency.labelValues(topic).observe(nanos / 1e9);
  }

  /** A partition rebuilt its producer state at start, reading {@code batches} batches of its log. */
  public void producerStateLoaded(String topic, long batches) {
    producerStateScannedBatches.labelValues(topic).inc(batches);
  }

  public void producerIdsExpired(String topic, int count) {
    if (count > 0) {
      producerIdsExpired.labelValues(topic).inc(count);
    }
  }

  /** A partition's latest bounds; its series disappear when it is {@link #partitionStopped}. */
  public void partitionBounds(String topic, int partition, long logStartOffset, long highWatermark, long logEndOffset,
      long sizeBytes) {
    partitions.put(TopicNames.partitionId(topic, partition), new PartitionGauges(topic, Integer.toString(partition),
        logStartOffset, highWatermark, logEndOffset, sizeBytes));
  }

  /** The controller committed an ISR change a leader here asked for: {@code change} is shrink or expand. */
  public void isrChanged(String topic, String change) {
    isrChanges.labelValues(topic, change).inc();
  }

  public void partitionStopped(String topic, int partition) {
    partitions.remove(TopicNames.partitionId(topic, partition));
  }
}
