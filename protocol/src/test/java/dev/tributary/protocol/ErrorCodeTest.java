package dev.tributary.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Pins the number of every error code: these numbers are what deployed clients read, so a change
 * here is a break of the wire contract, never a refactoring. Adding a constant means adding its
 * number to {@link #PINNED}; changing a number means this test is wrong only if no client was ever
 * shipped with the old one.
 */
class ErrorCodeTest {

  /** Name to number, written out by hand. */
  static final Map<String, Integer> PINNED = pinned();

  private static Map<String, Integer> pinned() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("UNKNOWN_SERVER_ERROR", -1);
    m.put("NONE", 0);
    m.put("OFFSET_OUT_OF_RANGE", 1);
    m.put("CORRUPT_RECORD", 2);
    m.put("UNKNOWN_TOPIC_OR_PARTITION", 3);
    m.put("NOT_LEADER", 6);
    m.put("REQUEST_TIMED_OUT", 7);
    m.put("NOT_CONTROLLER", 41);
    m.put("STALE_BROKER_EPOCH", 77);
    m.put("BROKER_ID_NOT_REGISTERED", 102);
    m.put("BROKER_NOT_AVAILABLE", 8);
    m.put("COORDINATOR_LOAD_IN_PROGRESS", 14);
    m.put("COORDINATOR_NOT_AVAILABLE", 15);
    m.put("NOT_COORDINATOR", 16);
    m.put("RECORD_TOO_LARGE", 10);
    m.put("OFFSET_METADATA_TOO_LARGE", 12);
    m.put("INVALID_TOPIC", 17);
    m.put("INVALID_GROUP_ID", 24);
    m.put("UNKNOWN_MEMBER_ID", 25);
    m.put("TOPIC_ALREADY_EXISTS", 36);
    m.put("INVALID_PARTITIONS", 37);
    m.put("INVALID_CONFIG", 40);
    m.put("INVALID_REPLICATION_FACTOR", 38);
    m.put("FENCED_LEADER_EPOCH", 74);
    m.put("NOT_ENOUGH_REPLICAS", 19);
    m.put("NOT_ENOUGH_REPLICAS_AFTER_APPEND", 20);
    m.put("UNKNOWN_LEADER_EPOCH", 75);
    m.put("INVALID_UPDATE_VERSION", 95);
    m.put("INELIGIBLE_REPLICA", 107);
    m.put("INVALID_REQUEST", 42);
    m.put("OUT_OF_ORDER_SEQUENCE", 45);
    m.put("INVALID_PRODUCER_EPOCH", 47);
    m.put("KAFKA_STORAGE_ERROR", 56);
    m.put("GROUP_NOT_EMPTY", 68);
    m.put("GROUP_ID_NOT_FOUND", 69);
    m.put("STALE_MEMBER_EPOCH", 113);
    m.put("NOT_PARTITION_OWNER", 10_000);
    m.put("NO_COMMITTED_OFFSET", 10_001);
    return m;
  }

  @Test
  void everyErrorCodeHasItsPinnedNumber() {
    Map<String, Integer> actual = new TreeMap<>();
    for (ErrorCode e : ErrorCode.values()) {
      actual.put(e.name(), e.code());
    }
    // Whole maps, so the failure names the constant added without a number or the number changed.
    assertEquals(new TreeMap<>(PINNED), actual);
  }

  @Test
  void noTwoErrorCodesShareANumber() {
    Set<Integer> seen = new HashSet<>();
    for (ErrorCode e : ErrorCode.values()) {
      assertTrue(seen.add(e.code()), e + " reuses number " + e.code());
    }
  }

  @Test
  void everyNumberFitsTheWiresSixteenBits() {
    for (ErrorCode e : ErrorCode.values()) {
      assertEquals(e.code(), (short) e.code(), e + "'s number does not fit a signed 16-bit value");
    }
  }

  @Test
  void everyNumberReadsBackAsItsErrorCode() {
    for (ErrorCode e : ErrorCode.values()) {
      assertEquals(e, ErrorCode.forCode(e.code()));
    }
  }

  @Test
  void aNumberFromANewerPeerReadsAsUnknownServerError() {
    int unused = Arrays.stream(ErrorCode.values()).mapToInt(ErrorCode::code).max().orElseThrow() + 1;
    assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.forCode(unused));
    assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.forCode(4)); // a Kafka code we do not use
    assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.forCode(Short.MIN_VALUE));
  }
}
