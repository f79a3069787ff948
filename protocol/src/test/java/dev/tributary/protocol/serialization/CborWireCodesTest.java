package dev.tributary.protocol.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TopicPartition;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.ProducerIdResponse;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replies Jackson CBOR carries (everything but the data plane) put an error on the wire as its
 * fixed number, through the serializer Pekko binds to {@code CborSerializable}; and they still read
 * replies from nodes that wrote the name, and replies with a number this side does not know.
 * {@code Acks} crosses only the data plane today, but reads and writes its number here as well.
 */
class CborWireCodesTest {

  private static ActorSystem<Void> system;
  private static Serialization serialization;
  private static ObjectMapper cbor;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "cbor-wire-codes-test");
    serialization = SerializationExtension.get(Adapter.toClassic(system));
    cbor = JacksonObjectMapperProvider.get(Adapter.toClassic(system)).getOrCreate("jackson-cbor", Optional.empty());
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  private record Written(byte[] bytes, int serializerId, String manifest) {}

  private static Written write(Object message) {
    Serializer serializer = serialization.findSerializerFor(message);
    assertTrue(serializer instanceof JacksonCborSerializer, message.getClass().getSimpleName() + " is not sent as Jackson CBOR");
    return new Written(serializer.toBinary(message), serializer.identifier(), Serializers.manifestFor(serializer, message));
  }

  private static Object read(byte[] bytes, Written how) {
    return serialization.deserialize(bytes, how.serializerId(), how.manifest()).get();
  }

  private static List<Object> replies(ErrorCode error) {
    TopicPartition p = new TopicPartition("orders", 0);
    return List.of(
        AdminResponse.failed(error, error.advice()),
        new ProducerIdResponse(error, error.advice(), 7, (short) 1),
        new ListOffsetsResponse("orders", 0, error, error.advice(), 1, 0, 2, 3),
        new GroupRequest.OffsetsResponse(error, error.advice(), List.of(new GroupRequest.CommittedOffset(p, 5, ""))),
        new GroupRequest.HeartbeatResponse(error, error.advice(), "m-1", 3, List.of(p), 1_000),
        new GroupRequest.GroupDescription(error, error.advice(), "g", "Stable", 1, "sticky", List.of(), List.of(), 1));
  }

  @Test
  void everyErrorGoesOnTheWireAsItsNumberAndReadsBack() throws Exception {
    for (ErrorCode error : ErrorCode.values()) {
      for (Object reply : replies(error)) {
        Written w = write(reply);
        JsonNode field = cbor.readTree(w.bytes()).get("error");
        assertTrue(field.isInt(), reply.getClass().getSimpleName() + " wrote its error as " + field.getNodeType());
        assertEquals(error.code(), field.intValue(), error + " in " + reply.getClass().getSimpleName());
        assertEquals(reply, read(w.bytes(), w));
      }
    }
  }

  @Test
  void aReplyWrittenWithTheErrorsNameBeforeFixedNumbersStillReads() throws Exception {
    Written w = write(new ProducerIdResponse(ErrorCode.NOT_LEADER, "moved", 7, (short) 1));
    ObjectNode tree = (ObjectNode) cbor.readTree(w.bytes());
    tree.put("error", "NOT_LEADER");
    ProducerIdResponse read = (ProducerIdResponse) read(cbor.writeValueAsBytes(tree), w);
    assertEquals(ErrorCode.NOT_LEADER, read.error());
  }

  @Test
  void aNumberFromANewerPeerReadsAsUnknownServerErrorWithItsMessage() throws Exception {
    Written w = write(AdminResponse.failed(ErrorCode.INVALID_CONFIG, "a newer error"));
    for (Object unknown : List.of(12_345, "SOME_NEWER_ERROR", 1L << 32 | 3)) {
      ObjectNode tree = (ObjectNode) cbor.readTree(w.bytes());
      tree.set("error", cbor.valueToTree(unknown));
      AdminResponse read = (AdminResponse) read(cbor.writeValueAsBytes(tree), w);
      assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, read.error(), "error " + unknown);
      assertEquals("a newer error", read.errorMessage());
    }
  }

  @Test
  void acksGoToJacksonAsKafkasNumbersToo() throws Exception {
    for (Acks acks : Acks.values()) {
      byte[] bytes = cbor.writeValueAsBytes(acks);
      assertEquals(acks.code(), cbor.readTree(bytes).intValue());
      assertEquals(acks, cbor.readValue(bytes, Acks.class));
    }
  }
}
