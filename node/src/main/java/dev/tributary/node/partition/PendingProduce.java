package dev.tributary.node.partition;

import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Produce;

/**
 * A produce the leader accepted and has not answered yet: waiting for its write, then, with {@code
 * acks=all}, for the high watermark to cover it. A retried batch (a duplicate of one accepted
 * earlier) has no write of its own: it is answered with its original {@code baseOffset}, and
 * {@code duplicate} is set.
 *
 * @param committedAt the high watermark that commits the batch: the end of its (original) batch
 */
record PendingProduce(Produce request, long baseOffset, long committedAt, long receivedNanos, boolean duplicate) {

  boolean waitsForReplicas() {
    return request.acks() == Acks.ALL;
  }
}
