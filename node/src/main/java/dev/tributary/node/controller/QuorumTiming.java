package dev.tributary.node.controller;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How fast the controller quorum and broker sessions react, from {@code tributary.controller} and
 * the {@code tributary.failover} profile.
 *
 * @param electionTimeoutMin the least a follower waits without hearing from the leader before it
 *     stands for election (Ratis' rpc timeout; raised from Ratis' 150 ms for shared cores)
 * @param electionTimeoutMax the most it waits
 * @param snapshotEvery committed entries between snapshots (the log before a snapshot is purged)
 * @param sessionTimeout a broker not heard from for this long is fenced (Kafka's
 *     {@code broker.session.timeout.ms})
 * @param heartbeatInterval how often a broker heartbeats to the controller
 */
public record QuorumTiming(Duration electionTimeoutMin, Duration electionTimeoutMax, long snapshotEvery,
    Duration sessionTimeout, Duration heartbeatInterval) {

  public QuorumTiming {
    if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero() || electionTimeoutMax.compareTo(electionTimeoutMin) < 0) {
      throw new IllegalArgumentException("tributary.controller election timeouts: min must be positive and at most max, got "
          + electionTimeoutMin + " and " + electionTimeoutMax);
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("tributary.controller.snapshot-every must be at least 1, got " + snapshotEvery);
    }
    if (heartbeatInterval.compareTo(sessionTimeout) >= 0) {
      throw new IllegalArgumentException("the broker heartbeat interval (" + heartbeatInterval
          + ") must be shorter than the session timeout (" + sessionTimeout + ")");
    }
  }

  /** Reads the profile named by {@code tributary.failover} ({@code default} or {@code fast}). */
  public static QuorumTiming fromRoot(Config root) {
    String profile = root.getString("tributary.failover");
    Config profiles = root.getConfig("tributary.failover-profiles");
    // Matched against the profile names, not used as a path: "" or "default.session-timeout" would
    // otherwise fail as a config path rather than as a bad setting.
    if (!profiles.root().containsKey(profile) || !(profiles.root().get(profile) instanceof com.typesafe.config.ConfigObject)) {
      throw new IllegalArgumentException("tributary.failover (--failover) must be one of "
          + String.join(", ", new java.util.TreeSet<>(profiles.root().keySet())) + ", got '" + profile + "'");
    }
    Config p = profiles.getConfig("\"" + profile + "\"");
    return new QuorumTiming(p.getDuration("election-timeout-min"), p.getDuration("election-timeout-max"),
        root.getLong("tributary.controller.snapshot-every"), p.getDuration("session-timeout"),
        p.getDuration("heartbeat-interval"));
  }

  /** A group of one has no one to wait for: it elects itself quickly. */
  public QuorumTiming forSingleVoter() {
    return new QuorumTiming(Duration.ofMillis(150), Duration.ofMillis(300), snapshotEvery, sessionTimeout,
        heartbeatInterval);
  }
}
