package dev.tributary.node.cli;

import dev.tributary.client.Consumer;
import dev.tributary.client.ConsumerRecord;
import dev.tributary.client.ConsumerSettings;
import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.Acks;
import java.text.SimpleDateFormat;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tributary perf produce|consume}: Kafka's perf tools, with the same output. */
@Command(name = "perf", description = "Measure produce and consume throughput.",
    subcommands = {PerfCommand.Produce.class, PerfCommand.Consume.class, RebalanceBenchmark.class,
        GroupFailoverBenchmark.class, CreateLoopBenchmark.class})
final class PerfCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @picocli.CommandLine.Mixin HelpOption help;

  @Override
  public void run() {
    throw UsageErrors.missingSubcommand(spec);
  }

  /** As Kafka's ProducerPerformance: same options, same summary line. */
  @Command(name = "produce", description = "Produce records as fast as allowed.")
  static final class Produce implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "<topic>",
        description = "The topic to write to (it must exist).")
    String topic;

    @Option(names = "--num-records", required = true, paramLabel = "<num-records>", converter = Ranges.PositiveLong.class,
        description = "Records to send.")
    long numRecords;

    @Option(names = "--record-size", required = true, paramLabel = "<bytes>", converter = Ranges.NonNegative.class,
        description = "Value bytes per record.")
    int recordSize;

    @Option(names = "--throughput", required = true, paramLabel = "<records-per-s>", converter = Ranges.RateOrUnlimited.class,
        description = "Records/s to aim for; -1 for no limit.")
    long throughput;

    @Option(names = "--acks", defaultValue = "all", paramLabel = "<acks>", converter = CliArgs.AcksConverter.class,
        completionCandidates = CliArgs.AcksConverter.class,
        description = "leader | all (default: ${DEFAULT-VALUE}).")
    Acks acks;

    @Option(names = "--batch-size", defaultValue = "16384", paramLabel = "<bytes>", converter = Ranges.Positive.class,
        description = "Bytes per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--linger-ms", defaultValue = "5", paramLabel = "<ms>", converter = Ranges.NonNegativeLong.class,
        description = "Batch wait (default: ${DEFAULT-VALUE}).")
    long lingerMs;

    @Option(names = "--max-in-flight", defaultValue = "5", paramLabel = "<batches>", converter = Ranges.Positive.class,
        description = "Unanswered batches per partition (default: ${DEFAULT-VALUE}, as Kafka's).")
    int maxInFlight;

    @Option(names = "--max-batch-size", defaultValue = "" + ProducerSettings.DEFAULT_MAX_BATCH_SIZE,
        paramLabel = "<bytes>", converter = Ranges.Positive.class,
        description = "Bytes a batch may grow to while all in-flight slots are taken; --batch-size's value "
            + "turns the growth off, as Kafka's producer (default: ${DEFAULT-VALUE}).")
    int maxBatchSize;

    @picocli.CommandLine.Mixin CompressionOption compression;

    @Option(names = "--reporting-interval", defaultValue = "5000", paramLabel = "<ms>", converter = Ranges.PositiveLong.class,
        description = "How often to print a progress line with that interval's latency percentiles, as Kafka's "
            + "ProducerPerformance does (default: ${DEFAULT-VALUE} ms; 1000 shows the tail second by second).")
    long reportingIntervalMs;

    @Override
    public Integer call() {
      ProducerSettings settings = ProducerSettings.defaults().withAcks(acks)
          .withBatchSize(batchSize).withLinger(Duration.ofMillis(lingerMs)).withMaxInFlight(maxInFlight)
          .withMaxBatchSize(maxBatchSize).withCompression(compression.codec);
      byte[] payload = new byte[recordSize];
      for (int i = 0; i < payload.length; i++) {
        payload[i] = (byte) ('A' + ThreadLocalRandom.current().nextInt(26));
      }
      AtomicReference<Throwable> failure = new AtomicReference<>();
      try (TributaryClient c = client.connect(); Producer producer = new Producer(c, settings)) {
        long start = System.nanoTime();
        // From the first send, as the summary: the client's start is no interval of its own.
        ProduceProgress progress = new ProduceProgress(spec.commandLine().getOut(), reportingIntervalMs, System::nanoTime);
        for (long i = 0; i < numRecords && failure.get() == null; i++) {
          throttle(start, i);
          long sentAt = System.nanoTime();
          producer.send(topic, null, null, payload, List.of(), System.currentTimeMillis()).whenComplete((m, e) -> {
            if (e != null) {
              failure.compareAndSet(null, e);
              return;
            }
            progress.record((System.nanoTime() - sentAt) / 1_000, recordSize);
          });
        }
        ClientOptions.await(producer.flush());
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
          throw new IllegalStateException("a record failed: " + TributaryCli.describe(failure.get()));
        }
        Histogram latencies = progress.total();
        long n = latencies.getTotalCount();
        double recsPerSec = n / seconds;
        spec.commandLine().getOut().printf(Locale.ROOT,
            "%d records sent, %.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, "
                + "%d ms 50th, %d ms 95th, %d ms 99th, %d ms 99.9th.%n",
            n, recsPerSec, recsPerSec * recordSize / (1024.0 * 1024.0),
            latencies.getMean() / 1000.0, latencies.getMaxValue() / 1000.0,
            latencies.getValueAtPercentile(50) / 1000, latencies.getValueAtPercentile(95) / 1000,
            latencies.getValueAtPercentile(99) / 1000, latencies.getValueAtPercentile(99.9) / 1000);
      }
      return 0;
    }

    private void throttle(long startNanos, long sent) {
      if (throughput <= 0) {
        return;
      }
      long due = startNanos + sent * 1_000_000_000L / throughput;
      long wait = due - System.nanoTime();
      if (wait > 1_000_000) {
        try {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** As Kafka's ConsumerPerformance: reads N records from the start of every partition. */
  @Command(name = "consume", description = "Consume records as fast as possible.")
  static final class Consume implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin HelpOption help;
    @Mixin ClientOptions client;

    @Option(names = "--topic", required = true, paramLabel = "<topic>", description = "The topic to read.")
    String topic;

    @Option(names = "--messages", required = true, paramLabel = "<messages>", converter = Ranges.PositiveLong.class,
        description = "Records to read, from the start of every partition.")
    long messages;

    @Option(names = "--fetch-size", defaultValue = "1048576", paramLabel = "<bytes>", converter = Ranges.Positive.class,
        description = "Bytes per partition fetch (default: ${DEFAULT-VALUE}).")
    int fetchSize;

    @Override
    public Integer call() {
      SimpleDateFormat time = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss:SSS", Locale.ROOT);
      try (TributaryClient c = client.connect();
          Consumer consumer = new Consumer(c, ConsumerSettings.defaults()
              .withMaxPartitionFetchBytes(fetchSize).withMaxPollRecords(100_000))) {
        List<TopicPartition> tps = consumer.partitionsFor(topic);
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        long startMs = System.currentTimeMillis();
        long count = 0;
        long bytes = 0;
        long lastProgress = System.nanoTime();
        while (count < messages) {
          List<ConsumerRecord> records = consumer.poll(Duration.ofMillis(1000));
          if (records.isEmpty()) {
            if (System.nanoTime() - lastProgress > 10_000_000_000L) {
              throw new IllegalStateException("no records for 10 s after " + count + " of " + messages
                  + ": does the topic hold that many?");
            }
            continue;
          }
          lastProgress = System.nanoTime();
          for (ConsumerRecord r : records) {
            count++;
            bytes += (r.value() == null ? 0 : r.value().length) + (r.key() == null ? 0 : r.key().length);
          }
        }
        long endMs = System.currentTimeMillis();
        double seconds = (endMs - startMs) / 1000.0;
        double mb = bytes / (1024.0 * 1024.0);
        spec.commandLine().getOut().println("start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, "
            + "rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec");
        spec.commandLine().getOut().printf(Locale.ROOT, "%s, %s, %.4f, %.4f, %d, %.4f, %d, %d, %.4f, %.4f%n",
            time.format(new Date(startMs)), time.format(new Date(endMs)), mb, mb / seconds, count, count / seconds,
            0, endMs - startMs, mb / seconds, count / seconds);
      }
      return 0;
    }
  }
}
