package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Find an offset of a partition: {@link #EARLIEST}, {@link #LATEST}, or the first offset whose
 * batch has a timestamp at least {@code timestamp} (epoch ms).
 */
public record ListOffsets(
    String topic, int partition, long timestamp, ActorRef<ListOffsetsResponse> replyTo)
    implements GatewayRequest, PartitionCommand, CborSerializable {

  public static final long LATEST = -1;
  public static final long EARLIEST = -2;
}
