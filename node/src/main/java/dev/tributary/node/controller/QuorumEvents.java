package dev.tributary.node.controller;

import dev.tributary.node.MetadataView;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Carries the quorum's events (on Ratis' threads) into this broker's metadata view at once, and
 * into the controller actor once it runs.
 */
public final class QuorumEvents implements ControllerStateMachine.Listener {
  private final MetadataView view;
  private volatile ActorRef<Controller.Command> actor;
  private volatile ControllerState state = ControllerState.empty();
  private volatile int leaderId = -1;
  private volatile long term;
  /** The term this voter became a ready leader in, -1 since the last leader change. */
  private volatile long readyTerm = -1;
  private volatile boolean stopped;

  public QuorumEvents(MetadataView view) {
    this.view = view;
  }

  /** The quorum may have elected this voter before the actor ran: it is told what it missed. */
  void attach(ActorRef<Controller.Command> controller) {
    this.actor = controller;
    controller.tell(new Controller.LeaderChanged(leaderId, term));
    long ready = readyTerm;
    if (ready >= 0) {
      controller.tell(new Controller.LeaderReady(ready));
    }
  }

  @Override
  public void applied(ControllerState applied, long appliedTerm) {
    state = applied;
    term = Math.max(term, appliedTerm);
    view.update(ClusterMetadata.of(applied, leaderId, term));
    tell(new Controller.Applied(applied));
  }

  @Override
  public void leaderChanged(int newLeader, long newTerm) {
    readyTerm = -1;
    leaderId = newLeader;
    term = Math.max(term, newTerm);
    view.update(ClusterMetadata.of(state, leaderId, term));
    tell(new Controller.LeaderChanged(newLeader, term));
  }

  @Override
  public void leaderReady(long leaderTerm) {
    term = Math.max(term, leaderTerm);
    readyTerm = term;
    tell(new Controller.LeaderReady(term));
  }

  @Override
  public void stopped() {
    stopped = true;
    tell(Controller.QuorumStopped.INSTANCE);
  }

  /** Whether this broker's Raft server stopped (it then takes no part in the quorum). */
  public boolean voterStopped() {
    return stopped;
  }

  private void tell(Controller.Command message) {
    ActorRef<Controller.Command> target = actor;
    if (target != null) {
      target.tell(message);
    }
  }
}
