package dev.tributary.node.cli;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
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

  TributaryClient connect() {
    TributaryClient client = TributaryClient.connectForCommandLine(bootstrap);
    try {
      await(client.metadata()); // fail fast, with one clear line, when no broker answers
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return client;
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
