package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Ask a gateway for the consumer groups that exist: with committed offsets on its broker, or members there. */
public record ListGroups(ActorRef<GroupList> replyTo) implements GatewayRequest, CborSerializable {

  /** Group ids, sorted. */
  public record GroupList(List<String> groups) implements CborSerializable {}
}
