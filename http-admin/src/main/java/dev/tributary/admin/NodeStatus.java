package dev.tributary.admin;

import java.util.List;

/**
 * What the admin API needs to know about the node it runs on; the broker implements it. Calls
 * must be cheap and non-blocking.
 */
public interface NodeStatus {

  /** Why the node is not ready yet (empty when it is): joined, controller reachable, logs recovered. */
  List<String> notReadyReasons();

  /** The cluster as this node sees it. */
  ClusterView cluster();


  /** A member of the cluster. */
  record Member(String address, int nodeId, List<String> roles, String status, boolean reachable) {}

  /** The members, the oldest (singleton host) and this node. */
  record ClusterView(List<Member> nodes, String oldest, String self) {}
}
