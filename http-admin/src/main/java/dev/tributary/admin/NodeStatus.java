package dev.tributary.admin;

import java.util.List;

/**
 * What the admin API needs to know about the node it runs on; the broker implements it. Calls
 * must be cheap and non-blocking.
 */
public interface NodeStatus {

  /** Why the node cannot serve requests yet (empty when it can): joined, controller reachable. */
  List<String> notReadyReasons();

  /**
   * Why the node should not take traffic yet (empty when it should), as Kubernetes' readiness
   * probe asks: {@link #notReadyReasons} and anything else a rolling restart waits for.
   */
  default List<String> readinessReasons() {
    return notReadyReasons();
  }

  /** The cluster as this node sees it. */
  ClusterView cluster();


  /**
   * A broker: a member of the Pekko cluster, registered with the controller, or both.
   *
   * @param address its Pekko address
   * @param memberStatus its Pekko membership status ({@code Up}, ...; {@code Absent} when not a member)
   * @param reachable whether this node's failure detector reaches it
   * @param brokerEpoch its registration's broker epoch, -1 if it never registered
   * @param status {@code Registered} or {@code Fenced} by the controller, {@code Unregistered} if not known to it
   * @param directoryId the UUID of its data directory ("" if unregistered)
   * @param kafkaAddress the {@code host:port} its Kafka listener advertised when it registered ("" if
   *     none, or unregistered)
   */
  record Member(String address, int nodeId, List<String> roles, String memberStatus, boolean reachable,
      long brokerEpoch, String status, String directoryId, String kafkaAddress) {}

  /**
   * The cluster: its id, the active controller (a broker id, -1 while none is known) and its epoch,
   * the brokers and this node's address.
   */
  record ClusterView(String clusterId, int controller, long controllerEpoch, List<Member> nodes, String self) {}
}
