package dev.tributary.node.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.Acks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tributary verifiable-producer}: Kafka's VerifiableProducer. Sends the values "0", "1", ...
 * and prints, as JSON lines, the outcome of every record: what was acknowledged where, and what
 * failed. A checker compares that with what a consumer reads; the tool itself judges nothing.
 */
@Command(name = "verifiable-producer",
    description = {"Produce increasing integers and print every acknowledgement and failure as a JSON line "
        + "(Kafka's VerifiableProducer): startup_complete, producer_send_success / producer_send_error per record, "
        + "then tool_data and shutdown_complete.",
        "With --max-messages -1, until SIGTERM or Ctrl-C, which stop it cleanly."})
final class VerifiableProducerCommand implements Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
  @picocli.CommandLine.Mixin HelpOption help;

  @Mixin ClientOptions client;

  @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "Produce to this topic.")
  String topic;

  @Option(names = {"-n", "--max-messages"}, defaultValue = "-1", paramLabel = "<max-messages>",
      converter = Ranges.CountOrUnlimited.class,
      description = "Produce this many records; -1 (default) until stopped.")
  long maxMessages;

  @Option(names = "--throughput", defaultValue = "-1", paramLabel = "<records-per-s>",
      converter = Ranges.RateOrUnlimited.class,
      description = "At most about this many records/s; -1 (default) for no limit.")
  long throughput;

  @Option(names = "--acks", defaultValue = "all", paramLabel = "<acks>", converter = CliArgs.AcksConverter.class,
      completionCandidates = CliArgs.AcksConverter.class,
      description = "leader | all (default: ${DEFAULT-VALUE}).")
  Acks acks;

  @Option(names = "--value-prefix", paramLabel = "<prefix>",
      description = "Prefix every value with this integer and a dot: 7.0, 7.1, ... (as Kafka's).")
  Integer valuePrefix;

  @Option(names = "--repeating-keys", paramLabel = "<keys>", converter = Ranges.Positive.class,
      description = "Key the records \"0\" to \"<keys>-1\", over and over (default: no keys).")
  Integer repeatingKeys;

  private volatile boolean stopping;

  /** Counted down once tool_data and shutdown_complete are out: a SIGTERM hook may let the JVM go. */
  private final CountDownLatch finished = new CountDownLatch(1);

  @Override
  public Integer call() {
    ProducerSettings settings = ProducerSettings.defaults().withAcks(acks); // idempotent by default
    JsonEvents events = new JsonEvents(spec.commandLine().getOut());
    try (TributaryClient c = client.connect()) {
      if (ClientOptions.await(c.metadata()).topics().get(topic) == null) {
        throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            "topic '" + topic + "' does not exist: create it first (./tributary topic create " + topic + ")");
      }
      Producer producer = new Producer(c, settings);
      AtomicLong sent = new AtomicLong();
      AtomicLong acked = new AtomicLong();
      long startMs = System.currentTimeMillis();
      ThroughputThrottler throttler = new ThroughputThrottler(throughput, startMs);
      Thread hook = new Thread(() -> {
        stopping = true;
        throttler.wakeup();
        try {
          // The main thread flushes, prints the summary and lets go; the delivery timeout bounds it.
          finished.await(settings.deliveryTimeout().plus(TributaryClient.NO_ANSWER_GRACE).toSeconds() + 15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "verifiable-producer-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        events.print(events.event("startup_complete"));
        long limit = maxMessages < 0 ? Long.MAX_VALUE : maxMessages;
        int keyCounter = 0;
        for (long i = 0; i < limit && !stopping; i++) {
          long sendStartMs = System.currentTimeMillis();
          String key = null;
          if (repeatingKeys != null) {
            key = Integer.toString(keyCounter);
            keyCounter = (keyCounter + 1) % repeatingKeys;
          }
          String value = valuePrefix == null ? Long.toString(i) : valuePrefix + "." + i;
          send(producer, events, key, value, sent, acked);
          if (throttler.shouldThrottle(i, sendStartMs)) {
            throttler.throttle();
          }
        }
        // Every record gets its outcome within the delivery timeout (plus the client's grace for a
        // last answer); close waits that long and lets every callback print before it returns.
        producer.close(settings.deliveryTimeout().plus(TributaryClient.NO_ANSWER_GRACE).plusSeconds(5));
        long elapsedMs = Math.max(1, System.currentTimeMillis() - startMs);
        ObjectNode toolData = events.event("tool_data");
        toolData.put("sent", sent.get());
        toolData.put("acked", acked.get());
        toolData.put("target_throughput", throughput);
        toolData.put("avg_throughput", 1000.0 * acked.get() / elapsedMs);
        events.print(toolData);
        events.print(events.event("shutdown_complete"));
      } finally {
        producer.close(java.time.Duration.ZERO); // a no-op once closed; after a failure, stops its threads
        finished.countDown();
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it has waited for us
        }
      }
    }
    return 0;
  }

  private void send(Producer producer, JsonEvents events, String key, String value, AtomicLong sent, AtomicLong acked) {
    sent.incrementAndGet();
    byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    producer.send(topic, null, keyBytes, value.getBytes(StandardCharsets.UTF_8), List.of(), System.currentTimeMillis())
        .whenComplete((RecordMetadata m, Throwable error) -> {
          if (error == null) {
            acked.incrementAndGet();
            ObjectNode e = events.event("producer_send_success"); // timestamped now: when the ack arrived
            e.put("key", key);
            e.put("value", value);
            e.put("topic", m.topic());
            e.put("partition", m.partition());
            e.put("offset", m.offset());
            events.print(e);
          } else {
            Throwable cause = Failures.cause(error);
            ObjectNode e = events.event("producer_send_error");
            e.put("key", key);
            e.put("value", value);
            e.put("topic", topic);
            e.put("exception", cause.getClass().toString()); // "class ...", as Kafka's tool prints it
            e.put("message", cause.getMessage());
            events.print(e);
          }
        });
  }
}
