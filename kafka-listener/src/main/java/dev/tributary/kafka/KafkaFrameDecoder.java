package dev.tributary.kafka;

import java.util.function.IntSupplier;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Kafka's framing, inbound: a 4-byte big-endian size, then that many bytes, emitted without the
 * size. Unlike Pekko's {@code Framing.simpleFramingProtocolDecoder}, the limit is asked again for
 * each frame, so a connection that has not logged in yet is held to a smaller one (Kafka's
 * {@code sasl.server.max.receive.size}): a stranger cannot make the broker buffer 100 MiB. A size
 * over the limit, or a negative one, fails the stream, which closes the connection; the size alone
 * is enough, nothing after it is read.
 */
final class KafkaFrameDecoder extends GraphStage<FlowShape<ByteString, ByteString>> {

  /** A frame size this connection may not send (now). */
  static final class FrameTooLarge extends RuntimeException {
    FrameTooLarge(String message) {
      super(message);
    }
  }

  private final Inlet<ByteString> in = Inlet.create("KafkaFrameDecoder.in");
  private final Outlet<ByteString> out = Outlet.create("KafkaFrameDecoder.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final IntSupplier maxFrameBytes;

  /** @param maxFrameBytes the largest frame body the connection may send next, asked once per frame */
  KafkaFrameDecoder(IntSupplier maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private ByteString buffered = ByteString.emptyByteString();

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            buffered = buffered.concat(grab(in));
            emitOrPull();
          }

          @Override
          public void onUpstreamFinish() {
            if (buffered.isEmpty()) {
              completeStage();
            } else if (isAvailable(out)) {
              emitOrPull();
            } // else the next pull emits what is whole, then completes
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            emitOrPull();
          }
        });
      }

      /** Called only while {@code out} is pulled: emits one whole frame, or asks for more bytes. */
      private void emitOrPull() {
        if (buffered.size() >= 4) {
          int size = (buffered.apply(0) & 0xff) << 24 | (buffered.apply(1) & 0xff) << 16
              | (buffered.apply(2) & 0xff) << 8 | (buffered.apply(3) & 0xff);
          int limit = maxFrameBytes.getAsInt();
          if (size < 0 || size > limit) {
            failStage(new FrameTooLarge("a frame of " + Integer.toUnsignedString(size) + " bytes, over the "
                + limit + " this connection may send" + (size < 0 ? " (a negative size)" : "")));
            return;
          }
          if (buffered.size() >= 4 + size) {
            push(out, buffered.slice(4, 4 + size).compact());
            buffered = buffered.drop(4 + size);
            if (isClosed(in) && buffered.size() < 4) {
              completeStage(); // a peer gone mid-frame: nothing more can come of what is left
            }
            return;
          }
        }
        if (isClosed(in)) {
          completeStage();
        } else {
          pull(in);
        }
      }
    };
  }
}
