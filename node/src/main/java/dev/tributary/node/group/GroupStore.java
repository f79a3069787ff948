package dev.tributary.node.group;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.CborSerializable;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A group's durable part: its committed offsets, event sourced on the Tributary journal with
 * snapshots. The coordinator front owns membership (never stuck behind a write); this child only
 * stores and answers offsets.
 */
final class GroupStore
    extends EventSourcedBehaviorWithEnforcedReplies<GroupStore.Command, GroupStore.Event, GroupStore.State> {

  /**
   * Sent by the coordinator front to its child, so local today; serializable all the same, so the
   * testkit checks it like any entity protocol.
   */
  sealed interface Command extends CborSerializable {}

  record Store(List<CommittedOffset> offsets, ActorRef<Stored> replyTo) implements Command {}

  record Stored(List<CommittedOffset> offsets) implements CborSerializable {}

  record Get(ActorRef<State> replyTo) implements Command {}

  record Clear(ActorRef<Stored> replyTo) implements Command {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME)
  @JsonSubTypes({
      @JsonSubTypes.Type(value = OffsetsCommitted.class, name = "committed"),
      @JsonSubTypes.Type(value = OffsetsCleared.class, name = "cleared")
  })
  interface Event extends CborSerializable {}

  record OffsetsCommitted(List<CommittedOffset> offsets) implements Event {}

  record OffsetsCleared() implements Event {}

  /** Committed offsets by partition ("topic-partition" keys keep CBOR maps simple). */
  record State(Map<String, CommittedOffset> offsets) implements CborSerializable {
    State apply(Event event) {
      if (event instanceof OffsetsCleared) {
        return new State(Map.of());
      }
      Map<String, CommittedOffset> next = new TreeMap<>(offsets);
      for (CommittedOffset o : ((OffsetsCommitted) event).offsets()) {
        next.put(o.partition().toString(), o);
      }
      return new State(next);
    }

    CommittedOffset get(TopicPartition p) {
      return offsets.get(p.toString());
    }
  }

  static Behavior<Command> create(String groupId) {
    return new GroupStore(PersistenceId.ofUniqueId("__group-" + groupId));
  }

  private GroupStore(PersistenceId id) {
    super(id);
  }

  @Override
  public State emptyState() {
    return new State(Map.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1_000, 2);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Store.class, (state, store) -> Effect().persist(new OffsetsCommitted(List.copyOf(store.offsets())))
            .thenReply(store.replyTo(), s -> new Stored(store.offsets())))
        .onCommand(Clear.class, (state, clear) -> Effect().persist(new OffsetsCleared())
            .thenReply(clear.replyTo(), s -> new Stored(List.of())))
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return State::apply;
  }
}
