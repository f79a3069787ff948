package dev.tributary.node.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.tributary.node.replication.ReplicaFetch.PartitionFetch;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Replica fetches and their answers read back field for field (record bytes included) whichever
 * way Pekko moves them: into Artery's little-endian buffers or as byte arrays; and the broker's
 * configuration binds both to this serializer, not to Jackson.
 */
class ReplicationSerializerTest {

  private static ActorSystem<Void> system;
  private static ReplicationSerializer serializer;
  private static ActorRef<ReplicaFetchResponse> replyTo;

  @BeforeAll
  static void start() {
    // A local system: serialization needs no remoting, and the default remote port may be taken.
    system = ActorSystem.create(Behaviors.empty(), "replication-serializer-test",
        com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local")
            .withFallback(com.typesafe.config.ConfigFactory.load()));
    serializer = new ReplicationSerializer((ExtendedActorSystem) Adapter.toClassic(system));
    replyTo = system.systemActorOf(Behaviors.empty(), "fetcher", Props.empty());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private static final List<UnaryOperator<Object>> PATHS = List.of(
      o -> fromBytes(serializer.toBinary(o), serializer.manifest(o)),
      o -> {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        serializer.toBinary(o, buf);
        buf.flip();
        try {
          return serializer.fromBinary(buf, serializer.manifest(o));
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });

  private static Object fromBytes(byte[] bytes, String manifest) {
    try {
      return serializer.fromBinary(bytes, manifest);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aReplicaFetchReadsBackTheSame() {
    ReplicaFetch fetch = new ReplicaFetch(17, 2, 1_764_600_000_123L, 500, 1 << 20, List.of(
        new PartitionFetch("orders", 0, 4, 1_000_000L, 3),
        new PartitionFetch("payments-ü", 7, 0, 0, -1)), replyTo);
    for (UnaryOperator<Object> path : PATHS) {
      ReplicaFetch back = assertInstanceOf(ReplicaFetch.class, path.apply(fetch));
      assertEquals(fetch, back); // a record of values and a resolved ActorRef
    }
  }

  @Test
  void anAnswerReadsBackTheSameRecordBytesAndDivergence() {
    byte[] records = new byte[5000];
    for (int i = 0; i < records.length; i++) {
      records[i] = (byte) (i * 31);
    }
    ReplicaFetchResponse response = new ReplicaFetchResponse(17, List.of(
        new PartitionData("orders", 0, ErrorCode.NONE, "", 990, 10, 1000, false, -1, -1, records),
        new PartitionData("orders", 1, ErrorCode.NONE, "", 5, 0, 8, true, 3, 6, null),
        new PartitionData("orders", 2, ErrorCode.FENCED_LEADER_EPOCH, "epoch 4 is older than 5", -1, -1, -1, false,
            -1, -1, null)));
    for (UnaryOperator<Object> path : PATHS) {
      ReplicaFetchResponse back = assertInstanceOf(ReplicaFetchResponse.class, path.apply(response));
      assertEquals(response.fetchId(), back.fetchId());
      assertEquals(response.partitions().size(), back.partitions().size());
      for (int i = 0; i < response.partitions().size(); i++) {
        PartitionData sent = response.partitions().get(i);
        PartitionData got = back.partitions().get(i);
        assertArrayEquals(sent.records(), got.records());
        assertEquals(withoutRecords(sent), withoutRecords(got));
      }
    }
  }

  @Test
  void theBrokersConfigurationBindsBothMessagesHere() throws Exception {
    ActorSystem<Void> broker = ActorSystem.create(Behaviors.empty(), "bindings-test",
        com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local")
            .withFallback(com.typesafe.config.ConfigFactory.load()));
    try {
      var serialization = SerializationExtension.get(Adapter.toClassic(broker));
      assertEquals(serializer.identifier(), serialization.serializerFor(ReplicaFetch.class).identifier());
      assertEquals(serializer.identifier(), serialization.serializerFor(ReplicaFetchResponse.class).identifier());
    } finally {
      broker.terminate();
    }
  }

  private static String withoutRecords(PartitionData d) {
    return List.of(d.topic(), d.partition(), d.error(), d.message(), d.highWatermark(), d.logStartOffset(),
        d.logEndOffset(), d.diverged(), d.divergingEpoch(), d.divergingEndOffset()).toString();
  }
}
