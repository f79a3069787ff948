package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapAddressesTest {

  @Test
  void everyAddressOfAListIsParsed() {
    List<String[]> parsed = TributaryClient.parseBootstraps("127.0.0.1:25520, broker-1.local:25521");
    assertEquals(2, parsed.size());
    assertArrayEquals(new String[] {"127.0.0.1", "25520"}, parsed.get(0));
    assertArrayEquals(new String[] {"broker-1.local", "25521"}, parsed.get(1));
  }

  @Test
  void aBadAddressAnywhereInTheListIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TributaryClient.parseBootstraps("127.0.0.1:25520,nonsense"));
    assertTrue(e.getMessage().contains("'nonsense'") && e.getMessage().contains("host:port"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TributaryClient.parseBootstraps("127.0.0.1:25520,"));
    assertThrows(IllegalArgumentException.class, () -> TributaryClient.parseBootstraps("127.0.0.1:0"));
    assertThrows(IllegalArgumentException.class, () -> TributaryClient.parseBootstraps(" "));
  }
}
