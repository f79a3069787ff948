package dev.tributary.protocol.serialization;

import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;

/**
 * A serializer's {@link ActorRefResolver}, got on first use rather than in the serializer's
 * constructor, which may run while the actor system is still starting. Any thread may call
 * {@link #get()}; two racing first calls get the same extension.
 */
public final class LazyActorRefResolver {

  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  public LazyActorRefResolver(ExtendedActorSystem system) {
    this.system = system;
  }

  public ActorRefResolver get() {
    ActorRefResolver r = resolver;
    if (r == null) {
      r = ActorRefResolver.get(Adapter.toTyped(system));
      resolver = r;
    }
    return r;
  }
}
