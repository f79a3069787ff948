package dev.tributary.journal.support;

import java.util.List;
import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;

/**
 * A persistent actor that persists each {@link Write}'s events as one atomic write ({@code
 * persistAll}) and answers {@link Written} when they are stored. Recovery is skipped for speed.
 */
public final class BatchWriter extends AbstractPersistentActor {

  /** Persist these events together. */
  public record Write(List<?> events) {}

  /** Everything in the write is stored; {@code highestSequenceNr} is the last one's. */
  public record Written(long highestSequenceNr) {}

  private final String persistenceId;

  public static Props props(String persistenceId) {
    return Props.create(BatchWriter.class, () -> new BatchWriter(persistenceId));
  }

  private BatchWriter(String persistenceId) {
    this.persistenceId = persistenceId;
  }

  @Override
  public String persistenceId() {
    return persistenceId;
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder().matchAny(ignored -> {}).build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Write.class, write -> {
          var replyTo = getSender();
          int[] remaining = {write.events().size()};
          persistAll(write.events(), event -> {
            if (--remaining[0] == 0) {
              replyTo.tell(new Written(lastSequenceNr()), getSelf());
            }
          });
        })
        .build();
  }
}
