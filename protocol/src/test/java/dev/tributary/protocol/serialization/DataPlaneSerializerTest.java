package dev.tributary.protocol.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every data-plane message reads back the same whichever way Pekko moves it: straight into
 * Artery's (little-endian) buffers, as a byte array, or as a byte array read back through a
 * little-endian buffer, which is how Pekko unwraps a payload inside a sharding envelope sent
 * between brokers (that path failed with BufferUnderflowException when the arrays were big-endian).
 */
class DataPlaneSerializerTest {

  private static ActorSystem<Void> system;
  private static DataPlaneSerializer serializer;
  private static ActorRef<Object> replyTo;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "serializer-test");
    serializer = new DataPlaneSerializer((ExtendedActorSystem) Adapter.toClassic(system));
    replyTo = system.systemActorOf(Behaviors.empty(), "replies", org.apache.pekko.actor.typed.Props.empty());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @SuppressWarnings("unchecked")
  private static <T> ActorRef<T> replies() {
    return (ActorRef<T>) (ActorRef<?>) replyTo;
  }

  private static List<Object> messages() {
    byte[] batch = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    return List.of(
        new Produce(42, "orders", 3, batch, Acks.ALL, 30_000, replies()),
        new Produce(44, "orders", 3, batch, Acks.LEADER, 2_000, replies(), 1_764_600_000_000L),
        new Produce(46, "orders", 3, batch, Acks.LEADER, 2_000, replies(), 0, 7),
        new ProduceResponse(42, "orders", 3, ErrorCode.NONE, "", 1_000, -1, 7),
        new Fetch(43, "orders", 3, 1_000, 1 << 20, 500, replies()),
        new Fetch(45, "orders", 3, 1_000, 1 << 20, 500, replies(), 12),
        new FetchResponse(43, "orders", 3, ErrorCode.OFFSET_OUT_OF_RANGE, "offset 9 is outside [0, 5]", 5, 0, batch(batch)),
        // records joined from pieces, as a broker reads them, travel as one
        new FetchResponse(47, "orders", 3, ErrorCode.NONE, "", 5, 0,
            ByteString.fromArray(batch, 0, 4).concat(ByteString.fromArray(batch, 4, 5))));
  }

  private static ByteString batch(byte[] bytes) {
    return ByteString.fromArray(bytes);
  }

  private static void assertSame(Object expected, Object actual) {
    if (expected instanceof Produce p) {
      Produce q = (Produce) actual;
      assertEquals(List.of(p.correlationId(), p.topic(), p.partition(), p.acks(), p.timeoutMs(), p.replyTo(), p.deadlineMs()),
          List.of(q.correlationId(), q.topic(), q.partition(), q.acks(), q.timeoutMs(), q.replyTo(), q.deadlineMs()));
      assertArrayEquals(p.batch(), q.batch());
    } else if (expected instanceof FetchResponse r) {
      FetchResponse s = (FetchResponse) actual;
      assertEquals(List.of(r.correlationId(), r.topic(), r.partition(), r.error(), r.errorMessage(), r.highWatermark(),
          r.logStartOffset()), List.of(s.correlationId(), s.topic(), s.partition(), s.error(), s.errorMessage(),
          s.highWatermark(), s.logStartOffset()));
      assertEquals(r.records(), s.records());
    } else {
      assertEquals(expected, actual);
    }
  }

  @Test
  void everyMessageReadsBackTheSameWhicheverWayItTravels() throws Exception {
    for (Object message : messages()) {
      String manifest = serializer.manifest(message);
      byte[] bytes = serializer.toBinary(message);
      assertSame(message, serializer.fromBinary(bytes, manifest));

      // A wrapped payload: written as a byte array, read through a little-endian buffer.
      assertSame(message, serializer.fromBinary(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), manifest));

      // Straight into an Artery-like buffer, read back as a byte array.
      ByteBuffer artery = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
      serializer.toBinary(message, artery);
      byte[] written = java.util.Arrays.copyOf(artery.array(), artery.position());
      assertSame(message, serializer.fromBinary(written, manifest));
    }
  }

  /** A buffer over a message's bytes, positioned at its enum field: after correlation id, topic and partition. */
  private static ByteBuffer atEnumField(byte[] bytes) {
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buf.getLong();
    buf.position(buf.position() + 4 + buf.getInt());
    buf.getInt();
    return buf;
  }

  @Test
  void errorCodesTravelAsTheirFixedNumbersNotTheirOrdinals() throws Exception {
    for (ErrorCode error : ErrorCode.values()) {
      ProduceResponse produced = new ProduceResponse(1, "orders", 0, error, error.advice(), 5, -1, 0);
      FetchResponse fetched = new FetchResponse(2, "orders", 0, error, error.advice(), 5, 0, ByteString.emptyByteString());
      for (Object message : List.of(produced, fetched)) {
        byte[] bytes = serializer.toBinary(message);
        assertEquals(error.code(), atEnumField(bytes).getShort(), error + " in " + message.getClass().getSimpleName());
        assertSame(message, serializer.fromBinary(bytes, serializer.manifest(message)));
      }
    }
  }

  @Test
  void acksTravelAsKafkasNumbersNotTheirOrdinals() throws Exception {
    for (Acks acks : Acks.values()) {
      Produce produce = new Produce(1, "orders", 0, new byte[] {1}, acks, 1_000, replies());
      byte[] bytes = serializer.toBinary(produce);
      assertEquals(acks.code(), atEnumField(bytes).get(), acks.name());
      assertSame(produce, serializer.fromBinary(bytes, serializer.manifest(produce)));
    }
  }

  @Test
  void anErrorCodeFromANewerBrokerReadsAsUnknownServerErrorWithItsMessage() throws Exception {
    ProduceResponse response = new ProduceResponse(1, "orders", 0, ErrorCode.NOT_LEADER, "some newer error", 5, -1, 0);
    byte[] bytes = serializer.toBinary(response);
    atEnumField(bytes).putShort((short) 12_345);
    ProduceResponse read = (ProduceResponse) serializer.fromBinary(bytes, serializer.manifest(response));
    assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, read.error());
    assertEquals("some newer error", read.errorMessage());
  }

  @Test
  void anUnknownAcksNumberIsRefusedNotGuessed() {
    Produce produce = new Produce(1, "orders", 0, new byte[] {1}, Acks.ALL, 1_000, replies());
    byte[] bytes = serializer.toBinary(produce);
    atEnumField(bytes).put((byte) 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> serializer.fromBinary(bytes, serializer.manifest(produce)));
    assertTrue(e.getMessage().contains("unknown acks code 0"), e.getMessage());
  }
}
