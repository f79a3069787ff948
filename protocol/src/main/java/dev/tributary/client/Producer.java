package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.record.Header;
import dev.tributary.protocol.record.RecordBatch;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends records to topics, as Kafka's producer does: keyed records go to the partition Kafka's
 * murmur2 partitioner picks, unkeyed ones stick to a partition per batch; records are batched per
 * partition by {@code batchSize} and {@code linger}; at most {@code maxInFlight} batches per
 * partition await an answer, and while they do, the next batch may grow to {@code maxBatchSize};
 * retriable errors are retried with back-off, and idempotence (on by default) makes retries safe.
 * Thread-safe. {@link #send} never blocks unless {@code bufferMemory} bytes already wait to be
 * sent.
 *
 * <p>A send fails with a {@link NotAcknowledgedException} when the record may or may not have
 * been stored (no answer came in time), and with a plain {@link TributaryException} when it was
 * not stored. The stages {@link #send} returns complete on this producer's own callback thread,
 * in the order the answers came, never on the client's shared reply thread: a slow callback
 * delays this producer's later callbacks and {@link #flush}, but no other producer's and no
 * consumer's answers.
 */
public final class Producer implements AutoCloseable {

  private static final String MAX_MESSAGE_BYTES = "max.message.bytes";

  /** Bytes of records that may wait in the producer before {@link #send} blocks. */
  private static final long BUFFER_MEMORY = 32L * 1024 * 1024;
  /**
   * The least of the delivery timeout a retry must have left. An attempt sent with a few
   * milliseconds reaches its partition past its deadline and is dropped unanswered, so the batch
   * failed {@link TributaryClient#NO_ANSWER_GRACE} later with a time-out instead of the last real
   * answer (a storage error, say).
   */
  private static final long MIN_ATTEMPT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final TributaryClient client;
  private final ProducerSettings settings;
  private final long producerId;
  private final ScheduledExecutorService timer;
  /** Completes the records' stages, one at a time in answer order: user callbacks run here. */
  private final ExecutorService callbacks;
  private volatile Thread callbackThread;
  private final Object lock = new Object();
  private final Map<TopicPartition, PartitionQueue> queues = new HashMap<>();
  /** The same queues by topic and partition number, so a send allocates no key. */
  private final Map<String, PartitionQueue[]> queuesByTopic = new HashMap<>();
  private final Map<String, Integer> sticky = new HashMap<>();
  /** Batches closed but not yet answered for good; flush waits for these (not for each record). */
  private final Set<Ready> outstanding = ConcurrentHashMap.newKeySet();
  private volatile MetadataResponse metadata;
  private long bufferedBytes;
  private volatile boolean closed;

  private record Pending(CompletableFuture<RecordMetadata> future, long timestamp, int size) {}

  /**
   * A closed batch and its attempts so far.
   *
   * @param unanswered whether an attempt went unanswered (or failed in a way that may have stored
   *     it): from then on, a final failure means "may or may not have been stored"
   */
  private record Ready(TopicPartition tp, RecordBatch batch, List<Pending> records, int attempts,
      CompletableFuture<Void> done, long closedAtNanos, boolean unanswered) {
    Ready retried(boolean thisAttemptUnanswered) {
      return new Ready(tp, batch, records, attempts + 1, done, closedAtNanos, unanswered || thisAttemptUnanswered);
    }

    /** One batch whatever its attempt: a retry must find (and remove) its batch in {@code outstanding}. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Ready other && other.done == done;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(done);
    }
  }

  private final class PartitionQueue {
    final TopicPartition tp;
    RecordBatchBuilder open;
    /** The open batch's linger ran out while every slot was taken: it goes at the next free one. */
    boolean lingered;
    /** How large the open batch may grow while the slots are taken, as of metadata {@code limitFrom}. */
    int growthLimit = settings.maxBatchSize();
    MetadataResponse limitFrom;
    List<Pending> openRecords = new ArrayList<>();
    final ArrayDeque<Ready> ready = new ArrayDeque<>();
    /** Base sequences of this epoch's batches not answered for good yet. */
    final TreeSet<Integer> unacknowledged = new TreeSet<>();
    int inFlight;
    /**
     * Whether a batch of the current epoch was stored. Until then one batch at a time: the
     * partition takes a producer it does not know at any sequence, so a second batch overtaking a
     * first whose answer was lost would be stored, and the first refused for good as a gap.
     */
    boolean epochStored;
    int nextSequence;
    /**
     * The producer epoch this partition's batches carry. A sequenced batch that fails for good
     * leaves a gap the partition would never fill, so the epoch goes up and sequences start at 0
     * again (as Kafka's KIP-360 does); batches already built with the old epoch fail too.
     */
    short epoch;

    PartitionQueue(TopicPartition tp) {
      this.tp = tp;
    }
  }

  /**
   * With idempotence on, the constructor asks the cluster for a producer id and blocks until it
   * has one (at most the client's request timeout).
   */
  public Producer(TributaryClient client, ProducerSettings settings) {
    this.client = client;
    this.settings = settings;
    this.producerId = settings.idempotence() ? leaseProducerId(client) : -1;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "tributary-producer-linger");
      t.setDaemon(true);
      return t;
    });
    this.callbacks = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "tributary-producer-callbacks");
      t.setDaemon(true);
      callbackThread = t;
      return t;
    });
  }

  /** An id unique in the cluster (the brokers lease blocks of them from the controller). */
  private static long leaseProducerId(TributaryClient client) {
    return Await.result(client.initProducerId(), client.requestTimeout().plusSeconds(1),
        "no producer id from " + client.bootstrap());
  }

  /** The id this producer stamps on its batches, or -1 without idempotence. */
  public long producerId() {
    return producerId;
  }

  /** Sends a record without headers, timestamped now. */
  public CompletionStage<RecordMetadata> send(String topic, byte[] key, byte[] value) {
    return send(topic, null, key, value, List.of(), System.currentTimeMillis());
  }

  /**
   * Sends a record. The partition is {@code partition} when given, else chosen from the key.
   * Completes when the broker has stored it (as {@code acks} asks) or failed for good.
   */
  public CompletionStage<RecordMetadata> send(
      String topic, Integer partition, byte[] key, byte[] value, List<Header> headers, long timestamp) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("the producer is closed"));
    }
    int size = RecordBatchBuilder.estimateRecordSize(key, value, headers);
    if (size + RecordBatch.HEADER_SIZE > dev.tributary.protocol.Tributary.MAX_BATCH_BYTES) {
      return CompletableFuture.failedFuture(new TributaryException(ErrorCode.RECORD_TOO_LARGE,
          "a record of about " + size + " bytes is over the " + dev.tributary.protocol.Tributary.MAX_BATCH_BYTES + "-byte batch limit"));
    }
    int partitions;
    try {
      partitions = partitionsOf(topic);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (partition != null && (partition < 0 || partition >= partitions)) {
      return CompletableFuture.failedFuture(new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + topic + "' has partitions 0-" + (partitions - 1) + "; got " + partition));
    }
    CompletableFuture<RecordMetadata> future = new CompletableFuture<>();
    append(topic, partition, partitions, key, value, headers, timestamp, size, future);
    return future;
  }

  /**
   * The topic's partition count from cached metadata. Like Kafka's {@code send}, the first send to
   * a topic blocks the caller until metadata arrives (at most the client's request timeout): it
   * must not reorder records by racing for metadata.
   */
  private int partitionsOf(String topic) {
    MetadataResponse m = metadata;
    TopicMetadata t = m == null ? null : m.topics().get(topic);
    if (t != null) {
      return t.partitions();
    }
    MetadataResponse fresh = Await.result(client.metadata(), client.requestTimeout().plusSeconds(1),
        "no metadata from " + client.bootstrap());
    metadata = fresh;
    TopicMetadata found = fresh.topics().get(topic);
    if (found == null) {
      throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          "topic '" + topic + "' does not exist: create it first (./tributary topic create " + topic + ")");
    }
    return found.partitions();
  }

  private void append(String topic, Integer explicitPartition, int partitions, byte[] key, byte[] value,
      List<Header> headers, long timestamp, int size, CompletableFuture<RecordMetadata> future) {
    synchronized (lock) {
      while (bufferedBytes > BUFFER_MEMORY && !closed) {
        try {
          lock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          future.completeExceptionally(e);
          return;
        }
      }
      int p;
      if (explicitPartition != null) {
        p = explicitPartition;
      } else if (key != null) {
        p = Partitioner.partitionForKey(key, partitions);
      } else {
        p = sticky.computeIfAbsent(topic, t -> ThreadLocalRandom.current().nextInt(partitions)) % partitions;
      }
      PartitionQueue q = queue(topic, p, partitions);
      if (q.open != null && q.open.sizeInBytes() + size > batchLimit(q)) {
        closeOpenBatch(q);
      }
      if (q.open == null) {
        q.open = new RecordBatchBuilder();
        RecordBatchBuilder opened = q.open;
        if (!settings.linger().isZero()) {
          timer.schedule(() -> lingerExpired(q, opened), settings.linger().toNanos(), TimeUnit.NANOSECONDS);
        }
      }
      q.open.add(key, value, headers, timestamp);
      q.openRecords.add(new Pending(future, timestamp, size));
      bufferedBytes += size;
      if (settings.linger().isZero() && !slotsTaken(q)) {
        closeOpenBatch(q);
      }
      sendReady(q);
    }
  }

  /** The queue of a partition. Holds the lock. */
  private PartitionQueue queue(String topic, int partition, int partitions) {
    PartitionQueue[] byPartition = queuesByTopic.get(topic);
    if (byPartition == null || byPartition.length < partitions) {
      PartitionQueue[] grown = new PartitionQueue[partitions];
      if (byPartition != null) {
        System.arraycopy(byPartition, 0, grown, 0, byPartition.length);
      }
      byPartition = grown;
      queuesByTopic.put(topic, byPartition);
    }
    PartitionQueue q = byPartition[partition];
    if (q == null) {
      q = queues.computeIfAbsent(new TopicPartition(topic, partition), PartitionQueue::new);
      byPartition[partition] = q;
    }
    return q;
  }

  private void lingerExpired(PartitionQueue q, RecordBatchBuilder batch) {
    synchronized (lock) {
      if (q.open != batch) {
        return;
      }
      if (slotsTaken(q)) {
        q.lingered = true; // it could only wait in the ready queue: it grows and goes at the next free slot
      } else {
        closeOpenBatch(q);
        sendReady(q);
      }
    }
  }

  /** Whether every in-flight slot of the partition is taken (one until its epoch's first batch is stored). Holds the lock. */
  private boolean slotsTaken(PartitionQueue q) {
    return q.inFlight >= inFlightLimit(q);
  }

  private int inFlightLimit(PartitionQueue q) {
    return producerId >= 0 && !q.epochStored ? 1 : settings.maxInFlight();
  }

  /**
   * How large the open batch may get: {@code batchSize} while a slot is free, up to {@code
   * maxBatchSize} while the records would wait for one anyway. Holds the lock.
   */
  private int batchLimit(PartitionQueue q) {
    return slotsTaken(q) ? Math.max(settings.batchSize(), growthLimit(q)) : settings.batchSize();
  }

  /**
   * {@code maxBatchSize}, or the topic's {@code max.message.bytes} where the producer's metadata
   * shows it lower: a batch grown past what the topic takes would be refused for good.
   */
  private int growthLimit(PartitionQueue q) {
    MetadataResponse m = metadata;
    if (m != null && m != q.limitFrom) {
      q.limitFrom = m;
      q.growthLimit = settings.maxBatchSize();
      TopicMetadata t = m.topics().get(q.tp.topic());
      String topicLimit = t == null ? null : t.configs().get(MAX_MESSAGE_BYTES);
      if (topicLimit != null) {
        try {
          q.growthLimit = Math.min(q.growthLimit, Integer.parseInt(topicLimit));
        } catch (NumberFormatException notANumber) {
          // the broker checked it; keep maxBatchSize
        }
      }
    }
    return q.growthLimit;
  }

  /** Seals the open batch of a partition into the ready queue. Holds the lock. */
  private void closeOpenBatch(PartitionQueue q) {
    if (q.open == null || q.open.recordCount() == 0) {
      return;
    }
    RecordBatch batch;
    if (producerId >= 0) {
      batch = q.open.build(producerId, q.epoch, q.nextSequence, settings.compression());
      q.unacknowledged.add(q.nextSequence);
      q.nextSequence += q.open.recordCount();
    } else {
      batch = q.open.build(RecordBatch.NO_PRODUCER_ID, (short) -1, RecordBatch.NO_SEQUENCE, settings.compression());
    }
    Ready ready = new Ready(q.tp, batch, q.openRecords, 0, new CompletableFuture<>(), System.nanoTime(), false);
    outstanding.add(ready);
    q.ready.add(ready);
    q.open = null;
    q.lingered = false;
    q.openRecords = new ArrayList<>();
    if (q.tp.partition() == sticky.getOrDefault(q.tp.topic(), -1)) {
      int partitions = metadata == null || metadata.topics().get(q.tp.topic()) == null
          ? 1 : metadata.topics().get(q.tp.topic()).partitions();
      sticky.put(q.tp.topic(), Partitioner.stickyPartition(partitions, q.tp.partition()));
    }
  }

  /** Sends ready batches while in-flight slots are free. Holds the lock. */
  private void sendReady(PartitionQueue q) {
    if (closed) {
      return;
    }
    int limit = inFlightLimit(q);
    while (q.inFlight < limit && !q.ready.isEmpty()) {
      Ready r = q.ready.poll();
      q.inFlight++;
      transmit(q, r);
    }
  }

  /**
   * Sends one attempt. Its timeout is the request timeout, cut to what is left of the delivery
   * timeout, so a batch's outcome is known within about the delivery timeout (plus the client's
   * {@link TributaryClient#NO_ANSWER_GRACE}). The answer is handled on the client's reply thread.
   */
  private void transmit(PartitionQueue q, Ready r) {
    long left = settings.deliveryTimeout().toNanos() - (System.nanoTime() - r.closedAtNanos());
    Duration timeout = settings.requestTimeout().compareTo(Duration.ofNanos(left)) <= 0
        ? settings.requestTimeout() : Duration.ofMillis(Math.max(1, left / 1_000_000));
    client.sendProduce(r.tp().topic(), r.tp().partition(), r.batch(), settings.acks(), timeout)
        .whenComplete((response, error) -> onResponse(q, r, response, error));
  }

  /**
   * Whether a failed attempt may still have stored the batch: no answer in time, or a write
   * failure (the journal may have written it before failing).
   */
  private static boolean mayHaveStored(ErrorCode code) {
    return code == ErrorCode.REQUEST_TIMED_OUT || code == ErrorCode.KAFKA_STORAGE_ERROR;
  }

  private void onResponse(PartitionQueue q, Ready r, ProduceResponse response, Throwable error) {
    ErrorCode code = error != null ? ErrorCode.REQUEST_TIMED_OUT : response.error();
    String message = error != null ? String.valueOf(error) : response.errorMessage();
    boolean retry;
    synchronized (lock) {
      boolean currentEpoch = r.batch().isIdempotent() && r.batch().producerEpoch() == q.epoch;
      boolean earlierPending = currentEpoch && !q.unacknowledged.headSet(r.batch().baseSequence()).isEmpty();
      boolean inTime = System.nanoTime() - r.closedAtNanos() + settings.retryBackoff().toNanos()
          + Math.min(MIN_ATTEMPT_NANOS, settings.requestTimeout().toNanos()) < settings.deliveryTimeout().toNanos();
      retry = code != ErrorCode.NONE && r.attempts() < settings.retries() && inTime && !closed
          && (code.retriable() || (code == ErrorCode.OUT_OF_ORDER_SEQUENCE && earlierPending));
      if (!retry) {
        q.inFlight--;
        if (currentEpoch) {
          q.unacknowledged.remove(r.batch().baseSequence());
        }
        if (currentEpoch && code == ErrorCode.NONE) {
          q.epochStored = true;
        }
        if (currentEpoch && code != ErrorCode.NONE) {
          q.epoch++;
          q.epochStored = false;
          q.nextSequence = 0;
          q.unacknowledged.clear();
        }
        for (Pending p : r.records()) {
          bufferedBytes -= p.size();
        }
        lock.notifyAll();
        if (q.ready.isEmpty() && q.open != null
            && (settings.linger().isZero() || q.lingered || q.open.sizeInBytes() >= settings.batchSize())) {
          closeOpenBatch(q); // a batch that grew while the slots were taken goes in the one just freed
        }
        sendReady(q);
      }
    }
    if (retry) {
      if (code == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code == ErrorCode.NOT_LEADER
          || code == ErrorCode.FENCED_LEADER_EPOCH) {
        metadata = null;
      }
      if (code == ErrorCode.NOT_LEADER || code == ErrorCode.FENCED_LEADER_EPOCH || code == ErrorCode.REQUEST_TIMED_OUT) {
        // The client routes by its newest metadata: ask now, so the retry goes to the current
        // leader without waiting for a push (a dead leader's broker pushes nothing).
        client.metadata();
      }
      Ready again = r.retried(mayHaveStored(code));
      timer.schedule(() -> transmit(q, again), settings.retryBackoff().toMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    TributaryException failure = code == ErrorCode.NONE ? null : failure(r, code, message);
    onCallbackThread(() -> complete(r, response, failure));
  }

  /** The final failure of a batch: "may or may not have been stored" once any attempt may have stored it. */
  private static TributaryException failure(Ready r, ErrorCode code, String message) {
    String where = r.records().size() + " record(s) for " + r.tp() + ": ";
    if (mayHaveStored(code)) {
      return new NotAcknowledgedException(code, where + stripAdvice(message));
    }
    if (r.unanswered()) {
      return new NotAcknowledgedException(ErrorCode.REQUEST_TIMED_OUT,
          where + "an earlier attempt got no answer, and the last was refused with " + code + " (" + message + ")");
    }
    return new TributaryException(code, where + message);
  }

  /** The client's own "may or may not" sentence, which the exception adds once. */
  private static String stripAdvice(String message) {
    String advice = "; " + NotAcknowledgedException.MAY_OR_MAY_NOT;
    return message.endsWith(advice) ? message.substring(0, message.length() - advice.length()) : message;
  }

  /** Completes the batch's records (on the callback thread). */
  private void complete(Ready r, ProduceResponse response, TributaryException failure) {
    List<Pending> records = r.records();
    for (int i = 0; i < records.size(); i++) {
      Pending p = records.get(i);
      if (failure == null) {
        p.future().complete(new RecordMetadata(r.tp().topic(), r.tp().partition(), response.baseOffset() + i, p.timestamp()));
      } else {
        p.future().completeExceptionally(failure);
      }
    }
    // Only now: flush() promises that every record's own callbacks have run.
    outstanding.remove(r);
    r.done().complete(null);
  }

  /** Runs {@code task} on the callback thread, after the callbacks queued before it; inline once closed. */
  private void onCallbackThread(Runnable task) {
    try {
      callbacks.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closedAlready) {
      task.run();
    }
  }

  /**
   * Sends every waiting record now; completes when all records sent so far are answered. Not from
   * a send's callback: outcomes complete on that thread, so the flush could never finish there.
   *
   * @throws IllegalStateException when called from a callback of this producer
   */
  public CompletionStage<Void> flush() {
    if (Thread.currentThread() == callbackThread) {
      throw new IllegalStateException("flush() from a send callback would wait for itself: "
          + "flush from another thread, or just let the callback return");
    }
    synchronized (lock) {
      for (PartitionQueue q : queues.values()) {
        closeOpenBatch(q);
        sendReady(q);
      }
    }
    return CompletableFuture.allOf(outstanding.stream().map(Ready::done).toArray(CompletableFuture[]::new))
        .handle((ok, error) -> null);
  }

  /**
   * Flushes (waiting up to {@code timeout}) and stops. Called from a send's callback it does not
   * wait (as Kafka's {@code close} from a callback): the records' outcomes are completed on that
   * very thread, so waiting for them there could only time out.
   */
  public void close(Duration timeout) {
    if (closed) {
      return;
    }
    try {
      if (Thread.currentThread() != callbackThread) {
        flush().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (Exception e) {
      // what is still outstanding fails below
    } finally {
      timer.shutdownNow();
      TributaryException notSent = new TributaryException(ErrorCode.REQUEST_TIMED_OUT,
          "the producer closed before it sent the record, so it was not stored");
      NotAcknowledgedException unanswered = new NotAcknowledgedException(ErrorCode.REQUEST_TIMED_OUT,
          "the producer closed before the record was acknowledged");
      List<Pending> neverSent = new ArrayList<>();
      java.util.Set<Ready> waiting = new java.util.HashSet<>();
      synchronized (lock) {
        // Under the lock with the drain: an answer arriving now sends nothing more (sendReady
        // checks closed), so what is listed as never sent really was not sent.
        closed = true;
        for (PartitionQueue q : queues.values()) {
          neverSent.addAll(q.openRecords);
          waiting.addAll(q.ready);
          q.ready.clear();
        }
      }
      List<Ready> left = List.copyOf(outstanding);
      onCallbackThread(() -> {
        neverSent.forEach(p -> p.future().completeExceptionally(notSent));
        for (Ready r : left) {
          TributaryException error = waiting.contains(r) ? notSent : unanswered;
          r.records().forEach(p -> p.future().completeExceptionally(error));
        }
      });
      callbacks.shutdown();
      awaitCallbacks(timeout);
    }
  }

  /**
   * Lets the callbacks queued so far run (so a caller that exits after close has seen every
   * outcome), for at most {@code timeout} and 10 s (a callback that blocks must not hold close for
   * long); not when close is called from a callback itself.
   */
  private void awaitCallbacks(Duration timeout) {
    if (Thread.currentThread() == callbackThread) {
      return;
    }
    try {
      callbacks.awaitTermination(Math.max(1, Math.min(timeout.toMillis(), 10_000)), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }
}
