package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import dev.tributary.protocol.ErrorCode;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@link BrokerLifecycle} against a probe for the controller: a broker registers its Kafka
 * listener's address, only once the listener is bound, and again with each re-registration.
 */
class BrokerLifecycleRegistrationTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  private static final QuorumTiming TIMING =
      new QuorumTiming(Duration.ofMillis(150), Duration.ofMillis(300), 100, Duration.ofSeconds(5), Duration.ofMillis(100));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private final TestProbe<Controller.Command> controller = testKit.createTestProbe();
  private final BrokerLifecycle.Epoch epoch = new BrokerLifecycle.Epoch();

  private ActorRef<BrokerLifecycle.Command> lifecycle(CompletableFuture<String> kafkaAddress) {
    return testKit.spawn(BrokerLifecycle.create(3, "dir-3", "127.0.0.1:25523", kafkaAddress, controller.getRef(),
        TIMING, epoch, () -> 0));
  }

  /** The next registration the controller is asked for, past heartbeats still in flight. */
  private Controller.Register nextRegister() {
    for (int i = 0; i < 50; i++) {
      Controller.Command c = controller.expectMessageClass(Controller.Command.class, Duration.ofSeconds(5));
      if (c instanceof Controller.Register register) {
        return register;
      }
    }
    throw new AssertionError("no Register among 50 messages to the controller");
  }

  @Test
  void registersOnceTheListenerIsBoundAndKeepsItsAddressForReRegistrations() {
    CompletableFuture<String> bound = new CompletableFuture<>();
    ActorRef<BrokerLifecycle.Command> ref = lifecycle(bound);

    controller.expectNoMessage(Duration.ofMillis(300));
    TestProbe<Controller.ProducerIdBlock> lease = testKit.createTestProbe();
    ref.tell(new BrokerLifecycle.LeaseProducerIds(10, lease.getRef()));
    assertEquals(ErrorCode.BROKER_ID_NOT_REGISTERED, lease.receiveMessage().error(), "not registered while waiting");
    assertFalse(epoch.registered());

    bound.complete("127.0.0.1:39092");
    Controller.Register first = controller.expectMessageClass(Controller.Register.class);
    assertEquals("127.0.0.1:39092", first.kafkaAddress());
    assertEquals("127.0.0.1:25523", first.address());
    first.replyTo().tell(new Controller.Registration(ErrorCode.NONE, "", 5, 1));

    Controller.Heartbeat heartbeat = controller.expectMessageClass(Controller.Heartbeat.class);
    assertEquals(5, heartbeat.brokerEpoch());
    assertEquals(5, epoch.get());
    // Fenced meanwhile (a long pause): it registers again, still naming the same listener.
    heartbeat.replyTo().tell(new Controller.HeartbeatReply(ErrorCode.STALE_BROKER_EPOCH, "epoch 5 is fenced", 1));

    Controller.Register again = nextRegister();
    assertEquals("127.0.0.1:39092", again.kafkaAddress());
    assertEquals(first.incarnationId(), again.incarnationId(), "the same process");
    testKit.stop(ref);
  }

  @Test
  void aListenerThatFailedToBindRegistersWithoutAnAddress() {
    ActorRef<BrokerLifecycle.Command> ref =
        lifecycle(CompletableFuture.failedFuture(new IOException("Address already in use")));

    assertEquals("", controller.expectMessageClass(Controller.Register.class).kafkaAddress());
    testKit.stop(ref);
  }

  @Test
  void stoppingBeforeTheListenerIsBoundHasNothingToFence() {
    ActorRef<BrokerLifecycle.Command> ref = lifecycle(new CompletableFuture<>());
    TestProbe<Done> done = testKit.createTestProbe();

    ref.tell(new BrokerLifecycle.ShutDown(done.getRef()));

    done.expectMessage(Done.getInstance());
    controller.expectNoMessage(Duration.ofMillis(200));
    testKit.stop(ref);
  }
}
