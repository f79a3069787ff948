package dev.tributary.node.cli;

import dev.tributary.client.NotAcknowledgedException;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.Acks;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code tributary produce TOPIC}: one record per line of standard input. */
@Command(name = "produce",
    description = "Send one record per line of standard input; exits non-zero if a record fails.")
final class ProduceCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @ParentCommand TributaryCli cli;

  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "The topic to write to (it must exist).") String topic;

  @Option(names = "--key-separator", paramLabel = "<sep>",
      description = "Split each line at the first SEP into key and value (default: no key).")
  String keySeparator;

  @Option(names = "--acks", defaultValue = "all", paramLabel = "<acks>", converter = CliArgs.AcksConverter.class,
      completionCandidates = CliArgs.AcksConverter.class,
      description = "leader | all (default: ${DEFAULT-VALUE}).")
  Acks acks;

  @picocli.CommandLine.Mixin CompressionOption compression;

  @Override
  public Integer call() throws Exception {
    AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    ProducerSettings settings = ProducerSettings.defaults().withAcks(acks).withCompression(compression.codec);
    try (TributaryClient c = client.connect();
        Producer producer = new Producer(c, settings);
        BufferedReader in = new BufferedReader(new InputStreamReader(cli.in(), StandardCharsets.UTF_8))) {
      String line;
      long lineNumber = 0;
      while ((line = in.readLine()) != null && firstFailure.get() == null) {
        lineNumber++;
        byte[] key = null;
        String value = line;
        if (keySeparator != null && !keySeparator.isEmpty()) {
          int at = line.indexOf(keySeparator);
          if (at >= 0) {
            key = line.substring(0, at).getBytes(StandardCharsets.UTF_8);
            value = line.substring(at + keySeparator.length());
          }
        }
        long n = lineNumber;
        CompletionStage<RecordMetadata> sent = producer.send(topic, null, key,
            value.getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis());
        sent.whenComplete((m, e) -> {
          if (e != null && firstFailure.compareAndSet(null, e)) {
            spec.commandLine().getErr().println("error: " + failure(n, e));
          }
        });
      }
      // Every record gets its outcome within the delivery timeout (plus the client's grace for a
      // last answer); close waits that long, then reports what is still open as unacknowledged.
      producer.close(settings.deliveryTimeout().plus(TributaryClient.NO_ANSWER_GRACE).plusSeconds(5));
    }
    return firstFailure.get() == null ? 0 : 1;
  }

  /**
   * What happened to the record on line {@code line}: "not acknowledged ... may or may not have
   * been stored" when no answer came, "not stored" when the cluster refused it.
   */
  static String failure(long line, Throwable error) {
    String verdict = NotAcknowledgedException.mayHaveBeenStored(error) ? " was not acknowledged: " : " was not stored: ";
    return "line " + line + verdict + TributaryCli.describe(error);
  }
}
