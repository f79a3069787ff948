package dev.tributary.node.controller;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The bytes of the controller's log entries, their answers and its snapshots: CBOR through
 * Jackson, as the rest of the control plane. Unknown fields are ignored, so a newer broker may add
 * one without older ones failing to read the log.
 */
final class ControllerCodec {

  /** A snapshot file's content: the format version, then the state. */
  record Snapshot(int format, ControllerState state) {}

  static final int SNAPSHOT_FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper(new CBORFactory())
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private ControllerCodec() {}

  static byte[] encode(ControllerRecord entry) {
    return write(entry);
  }

  static ControllerRecord decodeRecord(byte[] bytes) throws IOException {
    return MAPPER.readValue(bytes, ControllerRecord.class);
  }

  static byte[] encode(ControllerState.Outcome outcome) {
    return write(outcome);
  }

  static ControllerState.Outcome decodeOutcome(byte[] bytes) throws IOException {
    return MAPPER.readValue(bytes, ControllerState.Outcome.class);
  }

  static byte[] encodeSnapshot(ControllerState state) {
    return write(new Snapshot(SNAPSHOT_FORMAT, state));
  }

  static ControllerState decodeSnapshot(byte[] bytes) throws IOException {
    Snapshot snapshot = MAPPER.readValue(bytes, Snapshot.class);
    if (snapshot.format() != SNAPSHOT_FORMAT) {
      throw new IOException("controller snapshot format " + snapshot.format() + " is not " + SNAPSHOT_FORMAT
          + " (written by another Tributary version)");
    }
    return snapshot.state();
  }

  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("could not encode " + value, e);
    }
  }
}
