package dev.tributary.protocol.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Pins the acks numbers: Kafka's acks values, what deployed clients send. */
class AcksTest {

  @Test
  void everyAcksLevelHasItsPinnedNumber() {
    Map<String, Integer> actual = new TreeMap<>();
    for (Acks a : Acks.values()) {
      actual.put(a.name(), a.code());
    }
    assertEquals(new TreeMap<>(Map.of("LEADER", 1, "ALL", -1)), actual);
  }

  @Test
  void everyNumberReadsBackAndFitsTheWiresByte() {
    for (Acks a : Acks.values()) {
      assertEquals(a, Acks.forCode(a.code()));
      assertEquals(a.code(), (byte) a.code());
    }
  }

  @Test
  void anUnknownNumberIsRefusedWithWhatThisSideKnows() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Acks.forCode(0));
    assertTrue(e.getMessage().contains("unknown acks code 0") && e.getMessage().contains("1 (LEADER)"), e.getMessage());
  }
}
