package dev.tributary.node.cli;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary perf create-loop}: creates topics one after another for a while, each retried
 * until it succeeds, and reports every gap between two successful creates longer than a threshold
 * (with wall-clock times, to line up with a broker killed meanwhile) and the longest gap. Under a
 * controller failover the longest gap is the time the cluster could not change its metadata.
 */
@Command(name = "create-loop",
    description = "Create topics in a loop; report the gaps between successful creates (controller failover).")
final class CreateLoopBenchmark implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Option(names = "--duration-s", defaultValue = "40", paramLabel = "<seconds>", converter = Ranges.Positive.class,
      description = "How long to loop (default: ${DEFAULT-VALUE}).")
  int durationSeconds;

  @Option(names = "--request-timeout-ms", defaultValue = "500", paramLabel = "<ms>", converter = Ranges.PositiveLong.class,
      description = "Control request timeout; a create times out after 4x this and is retried (default: ${DEFAULT-VALUE}).")
  long requestTimeoutMs;

  @Option(names = "--report-gaps-ms", defaultValue = "1000", paramLabel = "<ms>", converter = Ranges.NonNegativeLong.class,
      description = "Print every gap between successes longer than this (default: ${DEFAULT-VALUE}).")
  long reportGapsMs;

  @Option(names = "--prefix", defaultValue = "loop", paramLabel = "<prefix>",
      description = "Topic name prefix (default: ${DEFAULT-VALUE}).")
  String prefix;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (TributaryClient c = TributaryClient.connect(client.bootstrap, Duration.ofMillis(requestTimeoutMs))) {
      String run = Long.toString(System.currentTimeMillis(), 36);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
      long lastSuccessNanos = System.nanoTime();
      long lastSuccessMillis = System.currentTimeMillis();
      long longestGapNanos = 0;
      int created = 0;
      int failedAttempts = 0;
      for (int i = 0; System.nanoTime() < end; i++) {
        String name = prefix + "-" + run + "-" + i;
        while (System.nanoTime() < end && !create(c, name)) {
          failedAttempts++;
          Thread.sleep(10);
        }
        long now = System.nanoTime();
        long gap = now - lastSuccessNanos;
        long nowMillis = System.currentTimeMillis();
        if (gap > TimeUnit.MILLISECONDS.toNanos(reportGapsMs)) {
          out.printf("gap %d ms: from %d to %d (epoch ms)%n", TimeUnit.NANOSECONDS.toMillis(gap), lastSuccessMillis,
              nowMillis);
          out.flush();
        }
        longestGapNanos = Math.max(longestGapNanos, gap);
        lastSuccessNanos = now;
        lastSuccessMillis = nowMillis;
        created++;
      }
      out.printf("%d topics created, %d failed attempts retried, longest gap between creates %d ms%n", created,
          failedAttempts, TimeUnit.NANOSECONDS.toMillis(longestGapNanos));
    }
    return 0;
  }

  /** One attempt: true once the topic exists (an earlier attempt may have made it). */
  private static boolean create(TributaryClient c, String name) {
    try {
      c.createTopic(name, 1, Map.of()).toCompletableFuture().join();
      return true;
    } catch (RuntimeException e) {
      Throwable cause = Failures.cause(e);
      return cause instanceof TributaryException t && t.code() == ErrorCode.TOPIC_ALREADY_EXISTS;
    }
  }
}
