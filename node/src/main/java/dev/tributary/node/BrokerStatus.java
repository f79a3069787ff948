package dev.tributary.node;

import dev.tributary.admin.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/** The broker's answers to the admin API's health and cluster questions. */
final class BrokerStatus implements NodeStatus {

  private final ActorSystem<?> system;
  private final MetadataView metadata;

  BrokerStatus(ActorSystem<?> system, MetadataView metadata) {
    this.system = system;
    this.metadata = metadata;
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
    }
    return reasons;
  }

  @Override
  public ClusterView cluster() {
    Cluster cluster = Cluster.get(system);
    List<org.apache.pekko.cluster.Member> members = new ArrayList<>();
    cluster.state().getMembers().forEach(members::add);
    List<NodeStatus.Member> nodes = new ArrayList<>();
    String oldest = null;
    org.apache.pekko.cluster.Member oldestMember = null;
    for (org.apache.pekko.cluster.Member m : members) {
      boolean reachable = !cluster.state().getUnreachable().contains(m);
      String address = m.address().toString();
      int id = BrokerIds.of(m);
      nodes.add(new NodeStatus.Member(address, id, List.copyOf(m.getRoles()), m.status().toString(), reachable));
      if (m.status() == MemberStatus.up() && (oldestMember == null || m.isOlderThan(oldestMember))) {
        oldestMember = m;
      }
    }
    if (oldestMember != null) {
      oldest = oldestMember.address().toString();
    }
    return new ClusterView(nodes, oldest, cluster.selfMember().address().toString());
  }
}
