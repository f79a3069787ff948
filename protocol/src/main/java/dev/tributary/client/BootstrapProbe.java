package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A plain TCP connection to each bootstrap address, tried all at once before a short-lived client
 * starts its actor system. Artery says nothing about a refused connection: it retries quietly, and
 * a command pointed at the wrong port would only learn it from a request timeout, seconds later.
 * When no address accepts a connection within the timeout, {@link #requireOne} fails at once with
 * one line naming each address and why.
 *
 * <p>Only for command-line clients: an application's client may be made before its brokers are up.
 * The connection is closed as soon as it is made; a broker's Artery sees a client that went away
 * before its handshake. Called on the caller's thread; each address is tried on a daemon thread.
 */
final class BootstrapProbe {

  private BootstrapProbe() {}

  /**
   * Returns as soon as one of {@code addresses} ({@code [host, port]}) accepts a TCP connection.
   *
   * @throws TributaryException {@code BROKER_NOT_AVAILABLE} when none does within {@code timeout}
   */
  static void requireOne(List<String[]> addresses, Duration timeout) {
    int n = addresses.size();
    AtomicReferenceArray<String> failures = new AtomicReferenceArray<>(n);
    CompletableFuture<Boolean> anyConnected = new CompletableFuture<>();
    AtomicInteger unanswered = new AtomicInteger(n);
    for (int i = 0; i < n; i++) {
      int index = i;
      String host = addresses.get(i)[0];
      int port = Integer.parseInt(addresses.get(i)[1]);
      Thread probe = new Thread(() -> {
        String why = tryConnect(host, port, timeout);
        if (why == null) {
          anyConnected.complete(true);
          return;
        }
        failures.set(index, host + ":" + port + " (" + why + ")");
        if (unanswered.decrementAndGet() == 0) {
          anyConnected.complete(false);
        }
      }, "tributary-bootstrap-probe-" + i);
      probe.setDaemon(true);
      probe.start();
    }
    try {
      // Each attempt gives up within the timeout; the slack covers a slow name lookup.
      if (anyConnected.get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS)) {
        return;
      }
    } catch (TimeoutException e) {
      // reported below, as "no answer" for the addresses still trying
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
    List<String> each = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String f = failures.get(i);
      each.add(f != null ? f : addresses.get(i)[0] + ":" + addresses.get(i)[1] + " (no answer)");
    }
    throw new TributaryException(ErrorCode.BROKER_NOT_AVAILABLE,
        "no broker accepts connections at " + String.join(", ", each) + ": is a broker running there?");
  }

  /** Null when {@code host:port} accepts a TCP connection within {@code timeout}, else why not, in a few words. */
  private static String tryConnect(String host, int port, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, timeout.toMillis()));
      return null;
    } catch (ConnectException e) {
      return "connection refused";
    } catch (SocketTimeoutException e) {
      return "no answer in " + timeout.toMillis() + " ms";
    } catch (UnknownHostException | IllegalArgumentException e) {
      return "unknown host";
    } catch (IOException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }
}
