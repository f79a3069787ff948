package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Ask a gateway for the consumer groups it knows: those whose offsets its broker stores. */
public record ListGroups(ActorRef<GroupList> replyTo) implements GatewayRequest, CborSerializable {

  /** Group ids, sorted. */
  public record GroupList(List<String> groups) implements CborSerializable {}
}
