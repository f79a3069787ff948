package dev.tributary.node;

import dev.tributary.client.TributaryClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** A real broker on 127.0.0.1 and a free port, with its journal in a test directory. */
public final class TestBroker implements AutoCloseable {

  private final Broker broker;

  private TestBroker(Broker broker) {
    this.broker = broker;
  }

  public static TestBroker start(Path dataDir) {
    return start(BrokerSettings.defaults().withDataDir(dataDir).withPort(0));
  }

  public static TestBroker start(BrokerSettings settings) {
    Broker broker = Broker.start(settings);
    await(broker.ready(Duration.ofSeconds(30)));
    return new TestBroker(broker);
  }

  /** Starts every broker at once (a cluster whose members wait for each other) and waits for all. */
  public static java.util.List<TestBroker> startTogether(java.util.List<BrokerSettings> settings) {
    java.util.List<java.util.concurrent.CompletableFuture<TestBroker>> starting = settings.stream()
        .map(s -> java.util.concurrent.CompletableFuture.supplyAsync(() -> start(s))).toList();
    java.util.List<TestBroker> started = new java.util.ArrayList<>();
    for (java.util.concurrent.CompletableFuture<TestBroker> s : starting) {
      started.add(s.join());
    }
    return started;
  }

  public Broker broker() {
    return broker;
  }

  public String bootstrap() {
    return "127.0.0.1:" + broker.port();
  }

  public TributaryClient client() {
    return TributaryClient.connect(bootstrap());
  }

  /** A port free right now on 127.0.0.1, for a broker that must come back on the same address. */
  public static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(cause);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    broker.close();
  }
}
