package dev.tributary.node.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.tributary.client.TlsProbe;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.tls.TlsDirectory;
import dev.tributary.protocol.ArteryTls;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/** {@code -b/--bootstrap} for every client command, checked while parsing (a bad list is a usage error). */
final class ClientOptions {

  @Option(names = {"-b", "--bootstrap"}, defaultValue = "127.0.0.1:25520", paramLabel = "<host:port>[,...]",
      converter = CliArgs.HostPortList.class,
      description = "Brokers to connect to, comma-separated; any of them may be down (default: ${DEFAULT-VALUE}).")
  String bootstrap;

  @Option(names = "--tls-dir", paramLabel = "<dir>",
      description = "Talk TLS, with DIR's ca.crt, tls.crt and tls.key (tributary tls init; default: $TRIBUTARY_TLS_DIR).")
  Path tlsDir;

  /** How long a plain-text command waits for an answer before it asks whether the broker wants TLS. */
  private static final Duration TLS_HINT_AFTER = Duration.ofMillis(1500);

  TributaryClient connect() {
    Config overrides = ConfigFactory.empty();
    if (tlsDir != null) {
      new TlsDirectory(tlsDir).sslContext(); // a missing or bad file: one line naming it, before any wait
      overrides = overrides.withValue(ArteryTls.CLIENT_TLS_DIR, ConfigValueFactory.fromAnyRef(tlsDir.toString()));
    }
    TributaryClient client = TributaryClient.connectForCommandLine(bootstrap, overrides);
    try {
      CompletableFuture<?> metadata = client.metadata().toCompletableFuture();
      if (!usesTls(client)) {
        refuseIfBrokersWantTls(metadata);
      }
      await(metadata); // fail fast, with one clear line, when no broker answers
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
  }

  private static boolean usesTls(TributaryClient client) {
    return !client.system().settings().config().getString(ArteryTls.CLIENT_TLS_DIR).isBlank();
  }

  /**
   * A TLS broker drops a plain-text client's connection without a word: when no answer came
   * quickly, a first bootstrap broker that shows a TLS certificate is named, with what to give.
   */
  private void refuseIfBrokersWantTls(CompletableFuture<?> metadata) {
    try {
      metadata.get(TLS_HINT_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException slow) {
      String[] first = bootstrap.split(",", -1)[0].trim().split(":");
      String host = first[0];
      int port = Integer.parseInt(first[first.length - 1]);
      if (TlsProbe.speaksTls(host, port, Duration.ofSeconds(2))) {
        throw new TributaryException(dev.tributary.protocol.ErrorCode.BROKER_NOT_AVAILABLE, "the broker at " + host
            + ":" + port + " wants TLS: give --tls-dir DIR (or TRIBUTARY_TLS_DIR) with ca.crt, tls.crt and tls.key "
            + "issued by its CA");
      }
    } catch (ExecutionException answered) {
      // a failure came: await() reports it
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = Failures.cause(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(String.valueOf(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (java.util.concurrent.TimeoutException e) {
      throw new TributaryException(dev.tributary.protocol.ErrorCode.REQUEST_TIMED_OUT, "no answer in 120 s");
    }
  }
}
