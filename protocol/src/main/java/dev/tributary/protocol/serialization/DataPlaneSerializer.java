package dev.tributary.protocol.serialization;

import static dev.tributary.protocol.serialization.BinaryFields.getBytes;
import static dev.tributary.protocol.serialization.BinaryFields.getString;
import static dev.tributary.protocol.serialization.BinaryFields.putString;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import java.io.NotSerializableException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.util.ByteString;

/**
 * The hand-written binary serializer of the data plane (produce, fetch and their replies). It
 * writes straight into Artery's buffers; record batches are copied as opaque bytes, never decoded.
 *
 * <p>There is no version field yet: brokers and clients must run the same layout. The layout with
 * fixed error and acks numbers and the produce deadline (December 2026) does not read the ordinal
 * layout before it, nor the other way round; upgrade brokers and clients together. A version byte
 * comes with the Kafka-protocol work.
 */
public final class DataPlaneSerializer extends SerializerWithStringManifest
    implements ByteBufferSerializer {

  private static final String PRODUCE = "P";
  private static final String PRODUCE_RESPONSE = "PR";
  private static final String FETCH = "F";
  private static final String FETCH_RESPONSE = "FR";

  private final LazyActorRefResolver resolver;

  public DataPlaneSerializer(ExtendedActorSystem system) {
    this.resolver = new LazyActorRefResolver(system);
  }

  @Override
  public int identifier() {
    return 7_420_001;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Produce) return PRODUCE;
    if (o instanceof ProduceResponse) return PRODUCE_RESPONSE;
    if (o instanceof Fetch) return FETCH;
    if (o instanceof FetchResponse) return FETCH_RESPONSE;
    throw new IllegalArgumentException("not a data-plane message: " + o.getClass().getName());
  }

  /**
   * Artery's buffers are little-endian, and Pekko hands a {@link ByteBufferSerializer} little-endian
   * buffers for wrapped payloads too (a message inside a sharding envelope, sent between brokers),
   * even when the payload was written with {@link #toBinary(Object)}. So the byte-array forms are
   * little-endian as well: one layout whichever path a message takes.
   */
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  @Override
  public byte[] toBinary(Object o) {
    ByteBuffer buf = ByteBuffer.allocate(sizeOf(o)).order(ORDER);
    toBinary(o, buf);
    // sizeOf is an upper bound: return only the bytes written.
    return buf.position() == buf.capacity() ? buf.array() : java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return fromBinary(ByteBuffer.wrap(bytes).order(ORDER), manifest);
  }

  @Override
  public void toBinary(Object o, ByteBuffer buf) {
    if (o instanceof Produce p) {
      buf.putLong(p.correlationId());
      putString(buf, p.topic());
      buf.putInt(p.partition()).put((byte) p.acks().code()).putInt(p.timeoutMs());
      putString(buf, resolver.get().toSerializationFormat(p.replyTo()));
      buf.putInt(p.batch().length).put(p.batch());
      buf.putLong(p.deadlineMs()).putInt(p.leaderEpoch());
    } else if (o instanceof ProduceResponse r) {
      buf.putLong(r.correlationId());
      putString(buf, r.topic());
      buf.putInt(r.partition()).putShort((short) r.error().code());
      putString(buf, r.errorMessage());
      buf.putLong(r.baseOffset()).putLong(r.logAppendTime()).putLong(r.logStartOffset());
    } else if (o instanceof Fetch f) {
      buf.putLong(f.correlationId());
      putString(buf, f.topic());
      buf.putInt(f.partition()).putLong(f.offset()).putInt(f.maxBytes()).putInt(f.maxWaitMs());
      putString(buf, resolver.get().toSerializationFormat(f.replyTo()));
      buf.putInt(f.leaderEpoch());
    } else if (o instanceof FetchResponse r) {
      buf.putLong(r.correlationId());
      putString(buf, r.topic());
      buf.putInt(r.partition()).putShort((short) r.error().code());
      putString(buf, r.errorMessage());
      buf.putLong(r.highWatermark()).putLong(r.logStartOffset());
      buf.putInt(r.records().size());
      if (buf.remaining() < r.records().size()) {
        throw new BufferOverflowException(); // as put would: copyToBuffer alone copies what fits, silently
      }
      r.records().copyToBuffer(buf);
    } else {
      throw new IllegalArgumentException("not a data-plane message: " + o.getClass().getName());
    }
  }

  @Override
  public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
    switch (manifest) {
      case PRODUCE -> {
        long correlationId = buf.getLong();
        String topic = getString(buf);
        int partition = buf.getInt();
        Acks acks = Acks.forCode(buf.get());
        int timeout = buf.getInt();
        ActorRef<ProduceResponse> replyTo = resolver.get().resolveActorRef(getString(buf));
        byte[] batch = getBytes(buf);
        long deadline = buf.getLong();
        return new Produce(correlationId, topic, partition, batch, acks, timeout, replyTo, deadline, buf.getInt());
      }
      case PRODUCE_RESPONSE -> {
        return new ProduceResponse(buf.getLong(), getString(buf), buf.getInt(), ErrorCode.forCode(buf.getShort()),
            getString(buf), buf.getLong(), buf.getLong(), buf.getLong());
      }
      case FETCH -> {
        long correlationId = buf.getLong();
        String topic = getString(buf);
        int partition = buf.getInt();
        long offset = buf.getLong();
        int maxBytes = buf.getInt();
        int maxWait = buf.getInt();
        ActorRef<FetchResponse> replyTo = resolver.get().resolveActorRef(getString(buf));
        return new Fetch(correlationId, topic, partition, offset, maxBytes, maxWait, replyTo, buf.getInt());
      }
      case FETCH_RESPONSE -> {
        return new FetchResponse(buf.getLong(), getString(buf), buf.getInt(), ErrorCode.forCode(buf.getShort()),
            getString(buf), buf.getLong(), buf.getLong(), ByteString.fromArrayUnsafe(getBytes(buf)));
      }
      default -> throw new NotSerializableException("unknown data-plane manifest '" + manifest + "'");
    }
  }

  private int sizeOf(Object o) {
    if (o instanceof Produce p) {
      return 512 + p.topic().length() * 3 + p.batch().length;
    }
    if (o instanceof FetchResponse r) {
      return 64 + r.topic().length() * 3 + r.errorMessage().length() * 3 + r.records().size();
    }
    if (o instanceof ProduceResponse r) {
      return 64 + r.topic().length() * 3 + r.errorMessage().length() * 3;
    }
    return 1024;
  }
}
