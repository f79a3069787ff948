package dev.tributary.node.replication;

import static dev.tributary.protocol.serialization.BinaryFields.getBytes;
import static dev.tributary.protocol.serialization.BinaryFields.getString;
import static dev.tributary.protocol.serialization.BinaryFields.putString;

import dev.tributary.node.replication.ReplicaFetch.PartitionFetch;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.serialization.LazyActorRefResolver;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;

/**
 * The binary form of {@link ReplicaFetch} and {@link ReplicaFetchResponse} between brokers. Every
 * {@code acks=all} write crosses it twice, so it writes straight into Artery's buffers, as the
 * client data plane's serializer does, and copies record batches as opaque bytes. (Jackson's CBOR,
 * used before, was about a tenth of a leader's CPU under replicated load.) No version field:
 * brokers of one cluster run the same build.
 */
public final class ReplicationSerializer extends SerializerWithStringManifest implements ByteBufferSerializer {

  private static final String FETCH = "RF";
  private static final String RESPONSE = "RFR";
  /** Artery's buffers are little-endian; the byte-array form uses the same layout. */
  private static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

  private final LazyActorRefResolver resolver;

  public ReplicationSerializer(ExtendedActorSystem system) {
    this.resolver = new LazyActorRefResolver(system);
  }

  @Override
  public int identifier() {
    return 7_420_003;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof ReplicaFetch) return FETCH;
    if (o instanceof ReplicaFetchResponse) return RESPONSE;
    throw new IllegalArgumentException("not a replication message: " + o.getClass().getName());
  }

  @Override
  public byte[] toBinary(Object o) {
    ByteBuffer buf = ByteBuffer.allocate(sizeOf(o)).order(ORDER);
    toBinary(o, buf);
    return java.util.Arrays.copyOf(buf.array(), buf.position());
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return fromBinary(ByteBuffer.wrap(bytes).order(ORDER), manifest);
  }

  @Override
  public void toBinary(Object o, ByteBuffer buf) {
    if (o instanceof ReplicaFetch f) {
      buf.putLong(f.fetchId()).putInt(f.replicaId()).putLong(f.brokerEpoch()).putInt(f.maxWaitMs()).putInt(f.maxBytes());
      putString(buf, resolver.get().toSerializationFormat(f.replyTo()));
      buf.putInt(f.partitions().size());
      for (PartitionFetch p : f.partitions()) {
        putString(buf, p.topic());
        buf.putInt(p.partition()).putInt(p.currentLeaderEpoch()).putLong(p.fetchOffset()).putInt(p.lastFetchedEpoch());
      }
    } else if (o instanceof ReplicaFetchResponse r) {
      buf.putLong(r.fetchId()).putInt(r.partitions().size());
      for (PartitionData d : r.partitions()) {
        putString(buf, d.topic());
        buf.putInt(d.partition()).putShort((short) d.error().code());
        putString(buf, d.message());
        buf.putLong(d.highWatermark()).putLong(d.logStartOffset()).putLong(d.logEndOffset());
        buf.put((byte) (d.diverged() ? 1 : 0)).putInt(d.divergingEpoch()).putLong(d.divergingEndOffset());
        buf.putInt(d.records().length).put(d.records());
      }
    } else {
      throw new IllegalArgumentException("not a replication message: " + o.getClass().getName());
    }
  }

  @Override
  public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
    switch (manifest) {
      case FETCH -> {
        long fetchId = buf.getLong();
        int replicaId = buf.getInt();
        long brokerEpoch = buf.getLong();
        int maxWaitMs = buf.getInt();
        int maxBytes = buf.getInt();
        ActorRef<ReplicaFetchResponse> replyTo = resolver.get().resolveActorRef(getString(buf));
        int n = buf.getInt();
        List<PartitionFetch> partitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          partitions.add(new PartitionFetch(getString(buf), buf.getInt(), buf.getInt(), buf.getLong(), buf.getInt()));
        }
        return new ReplicaFetch(fetchId, replicaId, brokerEpoch, maxWaitMs, maxBytes, partitions, replyTo);
      }
      case RESPONSE -> {
        long fetchId = buf.getLong();
        int n = buf.getInt();
        List<PartitionData> partitions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          String topic = getString(buf);
          int partition = buf.getInt();
          ErrorCode error = ErrorCode.forCode(buf.getShort());
          String message = getString(buf);
          long highWatermark = buf.getLong();
          long logStart = buf.getLong();
          long logEnd = buf.getLong();
          boolean diverged = buf.get() == 1;
          int divergingEpoch = buf.getInt();
          long divergingEnd = buf.getLong();
          byte[] records = getBytes(buf);
          partitions.add(new PartitionData(topic, partition, error, message, highWatermark, logStart, logEnd, diverged,
              divergingEpoch, divergingEnd, records));
        }
        return new ReplicaFetchResponse(fetchId, partitions);
      }
      default -> throw new NotSerializableException("unknown replication manifest '" + manifest + "'");
    }
  }

  private int sizeOf(Object o) {
    int size = 256;
    if (o instanceof ReplicaFetch f) {
      for (PartitionFetch p : f.partitions()) {
        size += 32 + p.topic().length() * 3;
      }
    } else if (o instanceof ReplicaFetchResponse r) {
      for (PartitionData d : r.partitions()) {
        size += 64 + d.topic().length() * 3 + d.message().length() * 3 + d.records().length;
      }
    }
    return size;
  }
}
