package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapProbeTest {

  private static final Duration TIMEOUT = Duration.ofMillis(1500);

  /** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String[] local(int port) {
    return new String[] {"127.0.0.1", Integer.toString(port)};
  }

  @Test
  void oneListeningAddressIsEnoughWhenTheOthersRefuse() throws IOException {
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      BootstrapProbe.requireOne(List.of(local(closedPort()), local(listening.getLocalPort())), TIMEOUT);
    }
  }

  /** "connection refused", not "no answer": the refusal ended the wait, not the timeout. */
  @Test
  void everyAddressRefusingFailsAtOnceNamingEachOfThem() throws IOException {
    int a = closedPort();
    int b = closedPort();
    TributaryException e = assertThrows(TributaryException.class,
        () -> BootstrapProbe.requireOne(List.of(local(a), local(b)), TIMEOUT));
    assertEquals(ErrorCode.BROKER_NOT_AVAILABLE, e.code());
    assertEquals("BROKER_NOT_AVAILABLE: no broker accepts connections at 127.0.0.1:" + a + " (connection refused), "
        + "127.0.0.1:" + b + " (connection refused): is a broker running there?", e.getMessage());
  }

  @Test
  void anUnknownHostIsSaidSo() {
    TributaryException e = assertThrows(TributaryException.class,
        () -> BootstrapProbe.requireOne(List.<String[]>of(new String[] {"no-such-host.invalid", "9"}), TIMEOUT));
    assertTrue(e.getMessage().contains("no-such-host.invalid:9 (unknown host)"), e.getMessage());
  }
}
