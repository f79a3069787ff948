package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import dev.tributary.node.controller.ControllerState.Outcome;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ControllerCodecTest {

  static Stream<ControllerRecord> everyRecord() {
    return Stream.of(
        new ControllerRecord.InitCluster("3f1c2d9e-cluster"),
        new ControllerRecord.CreateTopic("orders", "tid-1", 12, 1, Map.of("retention.ms", "60000", "segment.bytes", "1048576")),
        new ControllerRecord.CreateTopic("plain", "tid-2", 1, 3, Map.of()),
        new ControllerRecord.AddPartitions("orders", 24),
        new ControllerRecord.DeleteTopic("orders"),
        new ControllerRecord.AlterConfigs("orders", Map.of("retention.ms", "1000", "segment.bytes", "")),
        new ControllerRecord.AllocateProducerIds(2, 17L, 1000),
        new ControllerRecord.AllocateProducerIds(0, Long.MAX_VALUE, ControllerState.MAX_PRODUCER_ID_BLOCK),
        new ControllerRecord.RegisterBroker(1, "inc-uuid", "dir-uuid", "127.0.0.1:25521", "127.0.0.1:9093"),
        new ControllerRecord.FenceBroker(1, 42L),
        new ControllerRecord.AlterPartition("orders", 3, 1, 4, 9, List.of(1, 2)),
        new ControllerRecord.ElectPreferredLeaders());
  }

  @Test
  void everySubtypeIsCovered() {
    Set<Class<?>> covered = everyRecord().map(Object::getClass).collect(Collectors.toSet());
    assertEquals(Set.of(ControllerRecord.class.getPermittedSubclasses()), covered);
  }

  @ParameterizedTest
  @MethodSource("everyRecord")
  void recordRoundTrips(ControllerRecord entry) throws IOException {
    assertEquals(entry, ControllerCodec.decodeRecord(ControllerCodec.encode(entry)));
  }

  private static ControllerState richState() {
    return new ControllerState("cluster-7",
        Map.of(
            "orders", new ControllerState.Topic("orders", "tid-1", 3, Map.of("retention.ms", "60000"), List.of(
                PartitionState.created(List.of(0, 1, 2)),
                new PartitionState(List.of(1, 2, 0), List.of(2), 2, 4, 9),
                new PartitionState(List.of(2, 0, 1), List.of(2), PartitionInfo.NO_LEADER, 7, 11))),
            "unplaced", new ControllerState.Topic("unplaced", "tid-2", 2, Map.of(), List.of())),
        10_001,
        Map.of(
            0, new ControllerState.Broker(0, 5, "inc-0", "dir-0", "127.0.0.1:25520", false, false, "127.0.0.1:9092"),
            1, new ControllerState.Broker(1, 9, "inc-1", "dir-1b", "127.0.0.1:25521", true, true, "127.0.0.1:9093"),
            2, new ControllerState.Broker(2, 12, "inc-2", "dir-2", "127.0.0.1:25522", false, true, "")),
        1234);
  }

  @Test
  void snapshotRoundTrips() throws IOException {
    ControllerState state = richState();
    ControllerState decoded = ControllerCodec.decodeSnapshot(ControllerCodec.encodeSnapshot(state));
    assertEquals(state, decoded);
    assertEquals("127.0.0.1:9093", decoded.brokers().get(1).info().kafkaAddress());
  }

  /** A registration logged before brokers had Kafka listeners: the same fields, but no kafkaAddress. */
  @Test
  void registrationLoggedWithoutAKafkaAddressHasNone() throws IOException {
    byte[] bytes = new ObjectMapper(new CBORFactory()).writeValueAsBytes(Map.of("@type", "register-broker",
        "brokerId", 1, "incarnationId", "inc", "directoryId", "dir", "address", "127.0.0.1:25521"));

    ControllerRecord decoded = ControllerCodec.decodeRecord(bytes);

    assertEquals(new ControllerRecord.RegisterBroker(1, "inc", "dir", "127.0.0.1:25521", ""), decoded);
  }

  /** A snapshot written before brokers had Kafka listeners: its brokers decode with none, not null. */
  @Test
  void snapshotWrittenWithoutKafkaAddressesHasNone() throws IOException {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    JsonNode snapshot = cbor.readTree(ControllerCodec.encodeSnapshot(richState()));
    snapshot.get("state").get("brokers").forEach(broker -> ((ObjectNode) broker).remove("kafkaAddress"));

    ControllerState decoded = ControllerCodec.decodeSnapshot(cbor.writeValueAsBytes(snapshot));

    assertEquals(3, decoded.brokers().size());
    for (ControllerState.Broker broker : decoded.brokers().values()) {
      assertEquals("", broker.kafkaAddress(), broker.toString());
      assertEquals("", broker.info().kafkaAddress(), broker.toString());
    }
    assertEquals(richState().brokers().get(1).directoryId(), decoded.brokers().get(1).directoryId(),
        "the other fields are read as before");
  }

  @Test
  void emptyStateSnapshotRoundTrips() throws IOException {
    ControllerState state = ControllerState.empty();
    assertEquals(state, ControllerCodec.decodeSnapshot(ControllerCodec.encodeSnapshot(state)));
  }

  @Test
  void snapshotOfAppliedStateRoundTripsAndKeepsApplyingTheSame() throws IOException {
    ControllerState state = ControllerState.empty();
    long index = 0;
    for (ControllerRecord entry : List.of(
        new ControllerRecord.InitCluster("c"),
        new ControllerRecord.RegisterBroker(0, "i0", "d0", "h:0", "h:9092"),
        new ControllerRecord.RegisterBroker(1, "i1", "d1", "h:1", ""),
        new ControllerRecord.CreateTopic("t", "tid", 4, 1, Map.of("retention.bytes", "100")),
        new ControllerRecord.AllocateProducerIds(0, 2, 50))) {
      state = state.apply(entry, ++index).state();
    }
    ControllerState restored = ControllerCodec.decodeSnapshot(ControllerCodec.encodeSnapshot(state));
    assertEquals(state, restored);

    ControllerRecord next = new ControllerRecord.AddPartitions("t", 6);
    assertEquals(state.apply(next, index + 1), restored.apply(next, index + 1));
  }

  @Test
  void outcomesRoundTrip() throws IOException {
    List<Outcome> outcomes = List.of(
        new Outcome(ErrorCode.NONE, "", new TopicMetadata("orders", "tid-1", 3, Map.of("retention.ms", "60000"),
            List.of("127.0.0.1:25520", "127.0.0.1:25521", "127.0.0.1:25522"),
            List.of(new PartitionInfo(0, 0, List.of(0, 1), List.of(0, 1)), new PartitionInfo(1, 3, List.of(1, 2), List.of(1)),
                new PartitionInfo(PartitionInfo.NO_LEADER, 7, List.of(2, 0), List.of(2)))), 0, 0),
        new Outcome(ErrorCode.NONE, "", null, 10_001, 1000),
        new Outcome(ErrorCode.STALE_BROKER_EPOCH, "broker 1 epoch 3 is fenced: register again", null, 0, 0),
        Outcome.ok());
    for (Outcome outcome : outcomes) {
      assertEquals(outcome, ControllerCodec.decodeOutcome(ControllerCodec.encode(outcome)));
    }
  }

  static Stream<byte[]> garbage() {
    return Stream.of(
        new byte[0],
        "not cbor at all".getBytes(StandardCharsets.UTF_8),
        new byte[] {(byte) 0xff, 0x00, 0x13, 0x37},
        new byte[] {(byte) 0xbf, 0x61}, // a map cut short
        new byte[] {0x01}); // a number, not an object
  }

  @ParameterizedTest
  @MethodSource("garbage")
  void garbageIsAnIOException(byte[] bytes) {
    String what = Arrays.toString(bytes);
    assertThrows(IOException.class, () -> ControllerCodec.decodeRecord(bytes), what);
    assertThrows(IOException.class, () -> ControllerCodec.decodeSnapshot(bytes), what);
    assertThrows(IOException.class, () -> ControllerCodec.decodeOutcome(bytes), what);
  }

  @Test
  void recordOfAnUnknownTypeIsAnIOException() throws IOException {
    byte[] bytes = new ObjectMapper(new CBORFactory()).writeValueAsBytes(Map.of("@type", "no-such-record"));
    assertThrows(IOException.class, () -> ControllerCodec.decodeRecord(bytes));
  }

  @Test
  void snapshotOfAnotherFormatIsRefused() throws IOException {
    byte[] bytes = new ObjectMapper(new CBORFactory())
        .writeValueAsBytes(new ControllerCodec.Snapshot(ControllerCodec.SNAPSHOT_FORMAT + 1, richState()));

    IOException e = assertThrows(IOException.class, () -> ControllerCodec.decodeSnapshot(bytes));

    assertTrue(e.getMessage().contains("format " + (ControllerCodec.SNAPSHOT_FORMAT + 1)), e.getMessage());
    assertTrue(e.getMessage().contains("is not " + ControllerCodec.SNAPSHOT_FORMAT), e.getMessage());
  }

  @Test
  void snapshotWithoutAFormatIsRefused() throws IOException {
    byte[] bytes = new ObjectMapper(new CBORFactory()).writeValueAsBytes(Map.of("state", Map.of()));
    assertThrows(IOException.class, () -> ControllerCodec.decodeSnapshot(bytes));
  }

  @Test
  void unknownFieldsAreIgnored() throws IOException {
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    byte[] bytes = cbor.writeValueAsBytes(Map.of("@type", "fence-broker", "brokerId", 3, "brokerEpoch", 8,
        "addedByANewerVersion", "x"));
    assertEquals(new ControllerRecord.FenceBroker(3, 8), ControllerCodec.decodeRecord(bytes));
  }
}
