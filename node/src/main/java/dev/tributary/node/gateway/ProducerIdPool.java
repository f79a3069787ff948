package dev.tributary.node.gateway;

import dev.tributary.node.controller.Controller;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.InitProducerId;
import dev.tributary.protocol.message.ProducerIdResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The producer ids a gateway hands out: a block leased from the controller, so ids are unique in
 * the cluster without asking the controller per producer. Owned by the gateway actor; one thread.
 */
final class ProducerIdPool {

  static final int BLOCK_SIZE = 1000;

  private long next;
  private long end;
  private boolean leasing;
  private final List<InitProducerId> waiting = new ArrayList<>();

  /** Answers now if the pool has an id; otherwise queues the request and says a lease is needed. */
  boolean serveOrQueue(InitProducerId request) {
    if (next < end) {
      request.replyTo().tell(new ProducerIdResponse(ErrorCode.NONE, "", next++, (short) 0));
      return false;
    }
    waiting.add(request);
    boolean startLease = !leasing;
    leasing = true;
    return startLease;
  }

  void onBlock(Controller.ProducerIdBlock block) {
    leasing = false;
    next = block.firstId();
    end = block.firstId() + block.count();
    List<InitProducerId> queued = new ArrayList<>(waiting);
    waiting.clear();
    for (InitProducerId request : queued) {
      serveOrQueue(request);
    }
  }

  /** The lease failed: every waiting producer is answered, {@code reason} says why. */
  void onLeaseFailed(String reason) {
    leasing = false;
    for (InitProducerId request : waiting) {
      request.replyTo().tell(new ProducerIdResponse(ErrorCode.BROKER_NOT_AVAILABLE,
          "the controller did not lease producer ids (" + reason + "); retry", -1, (short) -1));
    }
    waiting.clear();
  }
}
