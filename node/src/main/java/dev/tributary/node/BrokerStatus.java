package dev.tributary.node;

import dev.tributary.admin.NodeStatus;
import dev.tributary.node.controller.ClusterMetadata;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** The broker's answers to the admin API's health and cluster questions. */
final class BrokerStatus implements NodeStatus {

  private final ActorSystem<?> system;
  private final MetadataView metadata;

  private final java.util.function.BooleanSupplier voterStopped;
  private final int brokerId;
  private final java.util.function.BooleanSupplier registered;
  /** Set once, the first time every replica here was in its ISR after the start. */
  private volatile boolean caughtUp;

  BrokerStatus(ActorSystem<?> system, MetadataView metadata, java.util.function.BooleanSupplier voterStopped,
      int brokerId, java.util.function.BooleanSupplier registered) {
    this.system = system;
    this.metadata = metadata;
    this.voterStopped = voterStopped;
    this.brokerId = brokerId;
    this.registered = registered;
  }

  /**
   * {@link #notReadyReasons}, not registered with the controller yet, and, after a start until
   * they first are, replicas here that are not back in their ISRs: a rolling restart moves on to
   * the next broker only once this one holds full copies again. Later lag does not make a broker
   * unready (it serves; the ISR says how far behind it is).
   */
  @Override
  public List<String> readinessReasons() {
    List<String> reasons = notReadyReasons();
    if (!registered.getAsBoolean()) {
      reasons.add("not registered with the controller yet");
    }
    if (!caughtUp && reasons.isEmpty()) {
      List<String> behind = replicasOutsideTheirIsr();
      if (behind.isEmpty()) {
        caughtUp = true;
      } else {
        reasons.add(behind.size() + " replica(s) here not back in their ISR yet (" + String.join(", ",
            behind.subList(0, Math.min(3, behind.size()))) + (behind.size() > 3 ? ", ..." : "") + ")");
      }
    }
    return reasons;
  }

  /** Partitions with a replica on this broker, a live leader, and this broker outside their ISR. */
  private List<String> replicasOutsideTheirIsr() {
    List<String> behind = new ArrayList<>();
    for (dev.tributary.protocol.message.TopicMetadata t : new TreeMap<>(metadata.current().topics()).values()) {
      for (int i = 0; i < t.partitionInfo().size(); i++) {
        dev.tributary.protocol.message.PartitionInfo p = t.partitionInfo().get(i);
        if (p.replicas().contains(brokerId) && p.leader() >= 0 && !p.isr().contains(brokerId)) {
          behind.add(dev.tributary.protocol.TopicNames.partitionId(t.name(), i));
        }
      }
    }
    return behind;
  }

  @Override
  public List<String> notReadyReasons() {
    List<String> reasons = new ArrayList<>();
    Cluster cluster = Cluster.get(system);
    if (cluster.selfMember().status() != MemberStatus.up()) {
      reasons.add("not an Up member of the cluster yet (" + cluster.selfMember().status() + ")");
    }
    if (!metadata.received()) {
      reasons.add("no metadata from the controller yet");
    } else if (metadata.current().controller() < 0) {
      reasons.add("no active controller known");
    }
    if (voterStopped.getAsBoolean()) {
      reasons.add("this broker's controller voter stopped (its log says why): restart the broker");
    }
    return reasons;
  }

  @Override
  public ClusterView cluster() {
    Cluster cluster = Cluster.get(system);
    MetadataResponse m = metadata.current();
    Map<Integer, BrokerInfo> registered = new TreeMap<>();
    m.brokerInfo().forEach(b -> registered.put(b.id(), b));
    List<NodeStatus.Member> nodes = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    for (org.apache.pekko.cluster.Member member : cluster.state().getMembers()) {
      int id = BrokerIds.of(member);
      seen.add(id);
      BrokerInfo b = registered.get(id);
      nodes.add(new NodeStatus.Member(member.address().toString(), id, List.copyOf(member.getRoles()),
          member.status().toString(), !cluster.state().getUnreachable().contains(member),
          b == null ? -1 : b.epoch(), b == null ? "Unregistered" : b.status(), b == null ? "" : b.directoryId(),
          b == null ? "" : b.kafkaAddress()));
    }
    registered.values().stream().filter(b -> !seen.contains(b.id())).forEach(b -> nodes.add(new NodeStatus.Member(
        ClusterMetadata.pekkoAddress(b.address()), b.id(), List.of(), "Absent", false, b.epoch(), b.status(),
        b.directoryId(), b.kafkaAddress())));
    nodes.sort(java.util.Comparator.comparingInt(NodeStatus.Member::nodeId));
    return new ClusterView(m.clusterId(), m.controller(), m.controllerEpoch(), nodes,
        cluster.selfMember().address().toString());
  }
}
