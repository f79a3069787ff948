package dev.tributary.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.InitProducerId;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.message.ProducerIdResponse;
import dev.tributary.protocol.message.TopicMetadata;
import dev.tributary.protocol.message.WatchMetadata;
import dev.tributary.protocol.record.RecordBatchBuilder;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A broker killed without a word (kill -9: Artery tells the client nothing, and nothing it was
 * sent is ever answered) costs the client no request timeout: metadata comes from the other
 * bootstrap brokers, their pushes reach it, and a produce or fetch left unanswered at the dead
 * leader is retried on the new one as soon as the metadata moves the partition. The brokers here are fakes
 * (an actor system named like a broker's, with its two gateways), so "dead" is exact: a fake that
 * is dead drops everything, as a killed broker does.
 *
 * <p>No assertion is on a duration: the client's timeouts are set to minutes, and the waits here
 * (far shorter) only bound how long a failing run takes. Before the fix each of these waited out
 * a request timeout at the dead broker.
 */
class DeadBrokerFailoverTest {

  private static final Duration FOREVER = Duration.ofMinutes(10);
  /** How long the test waits for what should come at once; well under {@link #FOREVER}. */
  private static final Duration BOUND = Duration.ofSeconds(90);
  /** The one record of "t" a fake's fetch returns, at offset 0. */
  private static final String STORED = "v0";

  private final List<AutoCloseable> toClose = new java.util.ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /**
   * A stand-in broker: its control gateway answers metadata and producer ids, its data gateway
   * produce, and a fetch from offset 0 with {@link #STORED} (a fetch from further on waits for
   * data that never comes).
   */
  private static final class FakeBroker implements AutoCloseable {
    final int id;
    final int port;
    final ActorSystem<Void> system;
    final AtomicReference<MetadataResponse> metadata = new AtomicReference<>();
    /** Killed: everything that arrives is dropped, as a broker killed with SIGKILL answers nothing. */
    volatile boolean dead;
    /** Whether GetMetadata is answered (off: this fake cannot be the first to answer at connect). */
    volatile boolean answersGetMetadata = true;
    final Set<ActorRef<MetadataResponse>> watchers = ConcurrentHashMap.newKeySet();
    final AtomicInteger getMetadataReceived = new AtomicInteger();
    final AtomicInteger producesReceived = new AtomicInteger();
    final AtomicInteger producesAcknowledged = new AtomicInteger();
    final AtomicInteger fetchesReceived = new AtomicInteger();

    FakeBroker(int id) {
      this.id = id;
      this.port = freePort();
      this.system = ActorSystem.create(Behaviors.setup(context -> {
        context.spawn(control(), Tributary.GATEWAY_NAME);
        context.spawn(data(), Tributary.DATA_GATEWAY_NAME);
        return Behaviors.empty();
      }), Tributary.SYSTEM_NAME, ConfigFactory.parseString("pekko.remote.artery.canonical.port = " + port)
          .withFallback(ConfigFactory.parseResources("tributary-client.conf"))
          .withFallback(ConfigFactory.load())
          .resolve());
    }

    String hostPort() {
      return "127.0.0.1:" + port;
    }

    String pekkoAddress() {
      return "pekko://" + Tributary.SYSTEM_NAME + "@127.0.0.1:" + port;
    }

    private Behavior<Object> control() {
      return Behaviors.receive(Object.class)
          .onMessage(GetMetadata.class, m -> {
            getMetadataReceived.incrementAndGet();
            if (!dead && answersGetMetadata) {
              m.replyTo().tell(metadata.get());
            }
            return Behaviors.same();
          })
          .onMessage(WatchMetadata.class, m -> {
            if (!dead) {
              watchers.add(m.subscriber());
              m.subscriber().tell(metadata.get());
            }
            return Behaviors.same();
          })
          .onMessage(InitProducerId.class, m -> {
            if (!dead) {
              m.replyTo().tell(new ProducerIdResponse(ErrorCode.NONE, "", 1000 + id, (short) 0));
            }
            return Behaviors.same();
          })
          .build();
    }

    private Behavior<Object> data() {
      return Behaviors.receive(Object.class)
          .onMessage(Produce.class, p -> {
            producesReceived.incrementAndGet();
            if (dead) {
              return Behaviors.same();
            }
            String leader = metadata.get().topics().get(p.topic()).leaders().get(p.partition());
            if (leader.equals(pekkoAddress())) {
              p.replyTo().tell(new ProduceResponse(p.correlationId(), p.topic(), p.partition(), ErrorCode.NONE, "",
                  producesAcknowledged.getAndIncrement(), -1, 0));
            } else {
              p.replyTo().tell(ProduceResponse.failed(p, ErrorCode.NOT_LEADER, "not the leader here"));
            }
            return Behaviors.same();
          })
          .onMessage(Fetch.class, f -> {
            fetchesReceived.incrementAndGet();
            if (dead || f.offset() > 0) {
              return Behaviors.same();
            }
            String leader = metadata.get().topics().get(f.topic()).leaders().get(f.partition());
            if (leader.equals(pekkoAddress())) {
              f.replyTo().tell(new FetchResponse(f.correlationId(), f.topic(), f.partition(), ErrorCode.NONE, "", 1, 0,
                  ByteString.fromArrayUnsafe(new RecordBatchBuilder().add(null, bytes(STORED), List.of(), 0).build()
                      .sharedBytes())));
            } else {
              f.replyTo().tell(FetchResponse.failed(f, ErrorCode.NOT_LEADER, "not the leader here", -1, -1));
            }
            return Behaviors.same();
          })
          .build();
    }

    /** Installs {@code m} and pushes it to every subscriber, as a broker's gateway does on a change. */
    void push(MetadataResponse m) {
      metadata.set(m);
      if (!dead) {
        watchers.forEach(w -> w.tell(m));
      }
    }

    @Override
    public void close() throws Exception {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Metadata at {@code version}: topic "t" of one partition led by {@code leader} (null: no leader),
   * and both brokers, {@code fenced} fenced.
   */
  private static MetadataResponse metadata(long version, FakeBroker leader, List<FakeBroker> all, FakeBroker fenced) {
    List<String> serving = all.stream().filter(b -> b != fenced).map(FakeBroker::pekkoAddress).toList();
    List<BrokerInfo> info = all.stream()
        .map(b -> new BrokerInfo(b.id, b.hostPort(), 1, b == fenced ? BrokerInfo.FENCED : BrokerInfo.REGISTERED,
            "dir-" + b.id, false, ""))
        .toList();
    List<Integer> replicas = all.stream().map(b -> b.id).toList();
    TopicMetadata t = new TopicMetadata("t", "t-id", 1, Map.of(), List.of(leader == null ? "" : leader.pekkoAddress()),
        List.of(new PartitionInfo(leader == null ? PartitionInfo.NO_LEADER : leader.id, (int) version, replicas, replicas)));
    return new MetadataResponse(version, Map.of("t", t), serving, "cluster", 0, 1, info);
  }

  private FakeBroker broker(int id) {
    FakeBroker b = new FakeBroker(id);
    toClose.add(b);
    return b;
  }

  /**
   * A client of brokers a (which answers metadata requests, so the client's control requests go
   * there) and b (which does not until the test lets it), both with metadata where a leads "t".
   */
  private TributaryClient connectThroughFirst(FakeBroker a, FakeBroker b) {
    MetadataResponse m = metadata(1, a, List.of(a, b), null);
    a.metadata.set(m);
    b.metadata.set(m);
    b.answersGetMetadata = false;
    TributaryClient client = TributaryClient.connect(a.hostPort() + "," + b.hostPort(), FOREVER);
    toClose.add(client);
    assertEquals(a.hostPort(), client.currentBootstrap());
    return client;
  }

  @Test
  void metadataComesFromAnotherBootstrapBrokerWhenTheOneInUseDied() throws Exception {
    FakeBroker a = broker(0);
    FakeBroker b = broker(1);
    TributaryClient client = connectThroughFirst(a, b);
    b.answersGetMetadata = true;

    a.dead = true;
    int askedBefore = b.getMetadataReceived.get();
    MetadataResponse answer = client.metadata().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);

    assertEquals(1, answer.version());
    assertTrue(b.getMetadataReceived.get() > askedBefore, "the live bootstrap broker was asked");
    assertEquals(b.hostPort(), client.currentBootstrap(), "control requests moved to the broker that answered");
  }

  @Test
  void aProduceUnansweredByADeadLeaderIsRetriedOnTheNewLeaderOnceAnotherBrokerPushesTheChange() throws Exception {
    FakeBroker a = broker(0);
    FakeBroker b = broker(1);
    TributaryClient client = connectThroughFirst(a, b);
    Producer producer = warmProducer(client, a, b);

    a.dead = true; // the leader, and the bootstrap broker the client's control requests go to, killed
    var sent = producer.send("t", 0, null, bytes("v1"), List.of(), 2L).toCompletableFuture();
    awaitUntil(() -> a.producesReceived.get() == 2, "the produce reached the dead leader");
    // The cluster fences a and elects b: a's gateway says nothing, b's pushes the change.
    b.push(metadata(2, b, List.of(a, b), a));

    sent.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertEquals(1, b.producesAcknowledged.get(), "stored once, on the new leader");
    assertEquals(2, a.producesReceived.get(), "nothing more went to the dead broker");
  }

  @Test
  void aProduceSentThroughADeadBootstrapBrokerWhileNoLeaderWasKnownIsRetriedOnceThatBrokerIsFenced()
      throws Exception {
    FakeBroker a = broker(0);
    FakeBroker b = broker(1);
    TributaryClient client = connectThroughFirst(a, b);
    Producer producer = warmProducer(client, a, b);

    a.dead = true;
    // An election under way: no leader, and a not fenced yet, so the next produce goes to the
    // bootstrap broker in use, a, which is dead.
    b.push(metadata(2, null, List.of(a, b), null));
    awaitUntil(() -> client.latestMetadata().orElseThrow().version() == 2, "the leaderless metadata arrived");
    var sent = producer.send("t", 0, null, bytes("v1"), List.of(), 2L).toCompletableFuture();
    awaitUntil(() -> a.producesReceived.get() == 2, "the produce reached the dead bootstrap broker");
    b.push(metadata(3, b, List.of(a, b), a));

    sent.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertEquals(1, b.producesAcknowledged.get(), "stored once, on the new leader");
    assertEquals(b.hostPort(), client.currentBootstrap(), "control requests moved off the fenced broker");
  }

  @Test
  void aFetchUnansweredByADeadLeaderIsRetriedOnTheNewLeaderOnceAnotherBrokerPushesTheChange() throws Exception {
    FakeBroker a = broker(0);
    FakeBroker b = broker(1);
    TributaryClient client = connectThroughFirst(a, b);
    awaitUntil(() -> a.watchers.size() == 1 && b.watchers.size() == 1 && client.latestMetadata().isPresent(),
        "subscribed at both brokers, with a as the leader");
    b.answersGetMetadata = true;
    Consumer consumer = new Consumer(client, ConsumerSettings.defaults());
    toClose.add(consumer);
    TopicPartition tp = new TopicPartition("t", 0);
    consumer.assign(List.of(tp));
    consumer.seek(tp, 0);

    a.dead = true; // the leader, and the bootstrap broker the client's control requests go to, killed
    assertEquals(List.of(), consumer.poll(Duration.ZERO)); // sends the fetch
    awaitUntil(() -> a.fetchesReceived.get() == 1, "the fetch reached the dead leader");
    // The cluster fences a and elects b: a's gateway says nothing, b's pushes the change.
    b.push(metadata(2, b, List.of(a, b), a));

    List<ConsumerRecord> records = List.of();
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (records.isEmpty() && System.nanoTime() < deadline) {
      records = consumer.poll(Duration.ofSeconds(1));
    }
    assertEquals(List.of(STORED), records.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList(),
        "read from the new leader");
    assertEquals(1, a.fetchesReceived.get(), "nothing more went to the dead broker");
  }

  /**
   * A producer (timeouts of minutes) that has stored one record on a, the partition's leader, with
   * the client subscribed to both brokers' metadata.
   */
  private Producer warmProducer(TributaryClient client, FakeBroker a, FakeBroker b) throws Exception {
    Producer producer = new Producer(client, ProducerSettings.defaults().withLinger(Duration.ZERO)
        .withRequestTimeout(FOREVER).withDeliveryTimeout(FOREVER.multipliedBy(2)));
    toClose.add(producer);
    producer.send("t", 0, null, bytes("v0"), List.of(), 1L).toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
    assertEquals(1, a.producesAcknowledged.get());
    awaitUntil(() -> a.watchers.size() == 1 && b.watchers.size() == 1, "subscribed at both brokers");
    assertEquals(a.hostPort(), client.currentBootstrap());
    b.answersGetMetadata = true;
    return producer;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not yet: " + what);
      Thread.sleep(20);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
