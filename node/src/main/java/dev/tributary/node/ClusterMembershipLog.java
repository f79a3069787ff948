package dev.tributary.node;

import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Logs the other brokers of the cluster joining, leaving, and becoming unreachable and reachable
 * again, one line each ({@link MembershipChanges} decides what is worth a line), naming each by
 * its broker id and address. Pekko's own cluster log says as much, but at INFO among much else, and
 * the broker keeps Pekko at WARN.
 */
final class ClusterMembershipLog {

  /** Its name under {@code /user}. */
  static final String NAME = "cluster-membership-log";

  private ClusterMembershipLog() {}

  static Behavior<ClusterEvent.ClusterDomainEvent> create() {
    return Behaviors.setup(context -> {
      context.setLoggerName(ClusterMembershipLog.class);
      Cluster cluster = Cluster.get(context.getSystem());
      MembershipChanges changes = new MembershipChanges(cluster.selfMember().uniqueAddress());
      // Typed subscriptions replay the current state as events, which cannot be told from news:
      // members up already are said to be in the cluster here, and their replayed MemberUp is a
      // repeat. (Usually there are none: this starts before the broker joins.)
      for (Member member : cluster.state().getMembers()) {
        if (member.status().equals(MemberStatus.up())) {
          log(context, changes.alreadyUp(member.uniqueAddress(), BrokerIds.of(member)));
        }
      }
      cluster.subscriptions().tell(Subscribe.create(
          context.getSelf().<ClusterEvent.MemberEvent>narrow(), ClusterEvent.MemberEvent.class));
      cluster.subscriptions().tell(Subscribe.create(
          context.getSelf().<ClusterEvent.ReachabilityEvent>narrow(), ClusterEvent.ReachabilityEvent.class));
      return Behaviors.receive(ClusterEvent.ClusterDomainEvent.class)
          .onMessage(ClusterEvent.MemberUp.class, e -> log(context,
              changes.up(e.member().uniqueAddress(), BrokerIds.of(e.member()))))
          .onMessage(ClusterEvent.MemberRemoved.class, e -> log(context,
              changes.removed(e.member().uniqueAddress(), BrokerIds.of(e.member()), e.previousStatus())))
          .onMessage(ClusterEvent.UnreachableMember.class, e -> log(context,
              changes.unreachable(e.member().uniqueAddress(), BrokerIds.of(e.member()))))
          .onMessage(ClusterEvent.ReachableMember.class, e -> log(context,
              changes.reachable(e.member().uniqueAddress(), BrokerIds.of(e.member()))))
          .onAnyMessage(other -> Behaviors.same()) // joining, leaving, exiting, downed: told at removal
          .build();
    });
  }

  private static Behavior<ClusterEvent.ClusterDomainEvent> log(ActorContext<?> context,
      Optional<MembershipChanges.Line> line) {
    line.ifPresent(l -> {
      if (l.warning()) {
        context.getLog().warn(l.text());
      } else {
        context.getLog().info(l.text());
      }
    });
    return Behaviors.same();
  }
}
