package dev.tributary.client;

import dev.tributary.protocol.message.DataPlaneMessage;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.ProduceResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The client's named actor ({@code /user/tributary-data-replies}, a large-message destination)
 * that receives produce and fetch replies and completes the caller's future by correlation id.
 * Ask replies would go to {@code /temp} paths, which must not be large destinations.
 */
final class DataReplies {

  private final AtomicLong correlationIds = new AtomicLong();
  private final ConcurrentHashMap<Long, CompletableFuture<DataPlaneMessage>> pending = new ConcurrentHashMap<>();

  /** Registers a request and returns its correlation id and the future of its reply. */
  long register(CompletableFuture<DataPlaneMessage> reply) {
    long id = correlationIds.incrementAndGet();
    pending.put(id, reply);
    reply.whenComplete((r, e) -> pending.remove(id));
    return id;
  }

  Behavior<DataPlaneMessage> behavior() {
    return Behaviors.receive(DataPlaneMessage.class)
        .onMessage(ProduceResponse.class, r -> complete(r.correlationId(), r))
        .onMessage(FetchResponse.class, r -> complete(r.correlationId(), r))
        .build();
  }

  private Behavior<DataPlaneMessage> complete(long correlationId, DataPlaneMessage reply) {
    answer(correlationId, reply);
    return Behaviors.same();
  }

  /** Completes a request with an answer made here (the broker's, if it comes later, is dropped). */
  void answer(long correlationId, DataPlaneMessage reply) {
    CompletableFuture<DataPlaneMessage> future = pending.remove(correlationId);
    if (future != null) {
      future.complete(reply);
    }
  }

  void failAll(Throwable cause) {
    pending.values().forEach(f -> f.completeExceptionally(cause));
  }
}
