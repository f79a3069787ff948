package dev.tributary.node.controller;

import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * What a broker that stops cleanly waits for before it leaves (Kafka's controlled shutdown), read
 * off metadata: pure logic, no actors. The controller's {@code FenceBroker} entry for this
 * broker's incarnation moves every leadership it holds to another live in-sync replica (or leaves
 * the partition offline when there is none) and takes it out of every ISR, all in one entry. The
 * broker may leave once its own metadata shows that entry applied and every other live broker's
 * does too: then every new leader knows it leads, with the ISR it may commit with, and every
 * leader it followed stopped waiting for it (Kafka waits for the same: its controller answers
 * {@code shouldShutDown} once no leadership is left and the lowest metadata offset of the active
 * brokers has reached the one that moved them).
 *
 * @param brokerId the stopping broker
 * @param brokerEpoch its incarnation's epoch, the one the fence names
 */
public record Handover(int brokerId, long brokerEpoch) {

  /**
   * Whether {@code metadata} has this incarnation out of service: fenced under its epoch (or
   * replaced by a later registration), and leading no partition (of the group log {@code __groups}
   * neither, so its group coordinators have moved as well). Metadata that does not know the broker
   * at all (a broker that has none yet) does not count.
   */
  public boolean releasedIn(MetadataResponse metadata) {
    boolean fenced = metadata.brokerInfo().stream().anyMatch(b -> b.id() == brokerId
        && (b.epoch() > brokerEpoch || b.epoch() == brokerEpoch && b.fenced()));
    return fenced && ledIn(metadata).isEmpty();
  }

  /** The partitions this broker leads in {@code metadata}, by partition id. */
  public List<String> ledIn(MetadataResponse metadata) {
    List<String> led = new ArrayList<>();
    forEachPartition(metadata, (topic, p, info) -> {
      if (info.leader() == brokerId) {
        led.add(TopicNames.partitionId(topic.name(), p));
      }
    });
    return led;
  }

  /** How many of {@link #ledIn} are partitions of the group log. */
  public long groupPartitionsLedIn(MetadataResponse metadata) {
    return ledIn(metadata).stream()
        .filter(id -> TopicNames.topicOf(id).equals(dev.tributary.protocol.GroupPartitions.TOPIC)).count();
  }

  /**
   * The brokers that must have the change before this one leaves: every other broker registered
   * and not fenced in {@code metadata}. One that died without a word drops out once its session
   * expires and the controller fences it.
   */
  public List<BrokerInfo> peers(MetadataResponse metadata) {
    return metadata.brokerInfo().stream().filter(b -> b.id() != brokerId && !b.fenced()).toList();
  }

  /**
   * Whether a controller may still commit this broker's fence, as far as {@code metadata} shows:
   * with the voters known ({@code tributary.controller.voters}), while a majority of them is live
   * (registered and not fenced, or this broker itself: its voter stays up while it waits); with
   * them unknown (a broker that joined without the list), unless the active controller's broker
   * is fenced (it stopped, and no successor has pushed yet). When this is false the stop cannot
   * be handed over, and waiting for it would only delay the stop of a cluster going down whole.
   */
  public boolean fenceCommittable(MetadataResponse metadata, java.util.Set<Integer> voters) {
    if (!voters.isEmpty()) {
      long live = voters.stream().filter(v -> v == brokerId || isLive(metadata, v)).count();
      return live > voters.size() / 2;
    }
    int controller = metadata.controller();
    return controller < 0 || controller == brokerId || isLive(metadata, controller);
  }

  private static boolean isLive(MetadataResponse metadata, int broker) {
    return metadata.brokerInfo().stream().anyMatch(b -> b.id() == broker && !b.fenced());
  }

  /**
   * The partitions of this broker that its stop leaves unable to take {@code acks=all} writes, as
   * one line each: offline (this broker was their last in-sync replica: they wait for it to come
   * back), or led with fewer in-sync replicas than their {@code min.insync.replicas} (their leader
   * refuses {@code NOT_ENOUGH_REPLICAS} until a replica catches up). Empty when every replica was in
   * sync before the stop, with replication factor 3 and {@code min.insync.replicas} 2 for instance.
   */
  public List<String> leftBehind(MetadataResponse metadata, TopicConfig defaults) {
    List<String> left = new ArrayList<>();
    forEachPartition(metadata, (topic, p, info) -> {
      if (!info.replicas().contains(brokerId) || info.replicas().size() < 2) {
        return; // a single copy stops with its broker, as it always did
      }
      String id = TopicNames.partitionId(topic.name(), p);
      int minInsync = defaults.with(topic.configs()).minInsyncReplicas();
      if (info.offline()) {
        left.add(id + " offline until broker " + brokerId + " is back (its last in-sync replica)");
      } else if (info.isr().size() < minInsync) {
        left.add(id + " refuses acks=all writes (ISR " + info.isr() + ", min.insync.replicas " + minInsync + ")");
      }
    });
    return left;
  }

  private interface PartitionVisitor {
    void visit(TopicMetadata topic, int partition, PartitionInfo info);
  }

  private static void forEachPartition(MetadataResponse metadata, PartitionVisitor visitor) {
    for (TopicMetadata topic : new TreeMap<>(metadata.topics()).values()) {
      for (int p = 0; p < topic.partitionInfo().size(); p++) {
        visitor.visit(topic, p, topic.partitionInfo().get(p));
      }
    }
  }
}
