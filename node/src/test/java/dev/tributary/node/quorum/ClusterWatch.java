package dev.tributary.node.quorum;

import static dev.tributary.node.quorum.BrokerProcesses.eventually;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The cluster as one client in the test's JVM sees it, for polls: a partition of a topic (leader,
 * replicas, Isr from the metadata; log start and HighWatermark from ListOffsets, as {@code topic
 * describe} prints them) and the active controller. One client for the whole test, whatever
 * brokers die: it reconnects to restarted ones, and after a request to a dead or paused bootstrap
 * broker times out ({@link #REQUEST_TIMEOUT}) it asks the next, so each poll tolerates failures.
 *
 * <p>A CLI JVM per poll would cost seconds on slow cores, and the CLI run in this JVM ({@link
 * BrokerProcesses#cliInProcess}) starts and stops an actor system per call, each leaving about
 * 4.6 MiB of direct memory behind, which a 200 ms poll turns into an OutOfMemoryError within a
 * minute.
 */
final class ClusterWatch implements AutoCloseable {

  /** The client's request timeout: a killed bootstrap broker costs one poll that long. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);

  final BrokerProcesses brokers;
  private final TributaryClient client;

  private ClusterWatch(BrokerProcesses brokers, TributaryClient client) {
    this.brokers = brokers;
    this.client = client;
  }

  /** Connects to every broker, and waits until a controller is elected and all are registered. */
  static ClusterWatch open(BrokerProcesses brokers) {
    ClusterWatch watch = new ClusterWatch(brokers, TributaryClient.connect(brokers.bootstrapAll(), REQUEST_TIMEOUT));
    try {
      watch.activeController();
      return watch;
    } catch (RuntimeException | Error e) {
      watch.close();
      throw e;
    }
  }

  TributaryClient client() {
    return client;
  }

  /** The active controller's broker, once one is elected and every broker is registered. */
  int activeController() {
    return eventually(FailoverCluster.LIMIT, () -> ClusterDescription.of(await(client.metadata()))
        .requireRegistered(brokers.ids()).requireController());
  }

  /** Partition 0 of {@code topic}: see {@link #partition(String, int)}. */
  TopicDescription.Partition partition(String topic) {
    return partition(topic, 0);
  }

  /**
   * Partition {@code p} of {@code topic}, as {@code topic describe} reports it: offsets -1 while it
   * has no leader. One try; fails (for {@link BrokerProcesses#eventually} to retry) when unanswered.
   */
  TopicDescription.Partition partition(String topic, int p) {
    MetadataResponse m = await(client.metadata());
    TopicMetadata t = m.topics().get(topic);
    if (t == null) {
      throw new AssertionError("no topic " + topic + " in the metadata (version " + m.version() + ")");
    }
    PartitionInfo info = t.partition(p).orElseThrow(() -> new AssertionError("no placement of " + topic + "-" + p + ": " + t));
    if (info.offline()) {
      return new TopicDescription.Partition(p, OptionalInt.empty(), info.replicas(), info.isr(), -1, -1);
    }
    ListOffsetsResponse offsets = await(client.listOffsets(topic, p, ListOffsets.EARLIEST));
    return new TopicDescription.Partition(p, OptionalInt.of(info.leader()), info.replicas(), info.isr(),
        offsets.logStartOffset(), offsets.highWatermark());
  }

  @Override
  public void close() {
    client.close();
  }

  /** The stage's value, waiting at most a little over the request timeout; its failure as thrown. */
  static <T> T await(CompletionStage<T> stage) {
    long limitMs = REQUEST_TIMEOUT.toMillis() + 2000;
    try {
      return stage.toCompletableFuture().get(limitMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = Failures.cause(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(cause);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + limitMs + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
