package dev.tributary.node.partition;

import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.Recovery;

/**
 * The partition's writer: a persistent actor whose journal is the partition log. Each {@link
 * Append} is one {@code persist} of a list: one atomic write, one journal write, one fsync. It
 * keeps no state and skips recovery (Pekko still learns the highest sequence number); the front
 * rebuilds offsets from the storage engine's tail.
 */
public final class PartitionWriter
    extends EventSourcedBehavior<PartitionWriter.Command, BatchAppended, PartitionWriter.State> {

  /** The writer's protocol; local to the partition (never crosses the network). */
  public interface Command extends NoSerializationVerificationNeeded {}

  /** Persist these batches together and answer {@link Appended}. */
  public record Append(List<BatchAppended> batches, ActorRef<Appended> replyTo) implements Command {}

  /** The batches of one {@link Append} are stored. */
  public record Appended(int batches) implements NoSerializationVerificationNeeded {}

  /** No state: offsets live in the front. */
  public enum State { EMPTY }

  public static Behavior<Command> create(String partitionId) {
    return new PartitionWriter(PersistenceId.ofUniqueId(partitionId));
  }

  private PartitionWriter(PersistenceId persistenceId) {
    super(persistenceId);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public Recovery recovery() {
    return Recovery.disabled();
  }

  @Override
  public CommandHandler<Command, BatchAppended, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, append ->
            Effect().persist(append.batches()).thenRun(state -> append.replyTo().tell(new Appended(append.batches().size()))))
        .build();
  }

  @Override
  public EventHandler<State, BatchAppended> eventHandler() {
    return (state, event) -> state;
  }
}
