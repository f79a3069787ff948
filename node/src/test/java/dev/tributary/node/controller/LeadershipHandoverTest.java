package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tributary.node.MetadataView;
import dev.tributary.node.TopicConfig;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.MetadataResponse;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The stopping broker's side of a controlled shutdown, one actor: its lifecycle (which asks the
 * controller for the fence) and the other brokers' gateways are probes, its metadata a view the
 * test updates with states the controller's own log produces (three brokers, the voters, and
 * a topic on all of them, then the fence).
 */
class LeadershipHandoverTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  private static final TopicConfig DEFAULTS = new TopicConfig(-1, -1, 1 << 30, 1_048_588, 1, false);
  private static final Duration LONG = Duration.ofSeconds(30);

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** The cluster as the controller's log has it: brokers 0..n-1 and topic t on all of them. */
  private static final class Cluster {
    ControllerState state = ControllerState.empty();
    final long[] epochs = new long[4];

    Cluster(int brokers) {
      for (int id = 0; id < brokers; id++) {
        epochs[id] = apply(new ControllerRecord.RegisterBroker(id, "i" + id, "d" + id, "127.0.0.1:" + (25520 + id), "")).value();
      }
      apply(new ControllerRecord.CreateTopic("t", "id-t", 3, brokers, Map.of()));
    }

    ControllerState.Outcome apply(ControllerRecord entry) {
      ControllerState.Applied applied = state.apply(entry, state.index() + 1);
      assertEquals(ErrorCode.NONE, applied.outcome().error(), applied.outcome().message());
      state = applied.state();
      return applied.outcome();
    }

    MetadataResponse fence(int id) {
      apply(new ControllerRecord.FenceBroker(id, epochs[id]));
      return metadata();
    }

    MetadataResponse metadata() {
      return ClusterMetadata.of(state, 0, 1);
    }
  }

  private final TestProbe<BrokerLifecycle.Command> lifecycle = testKit.createTestProbe();
  private final TestProbe<GatewayRequest> gateway1 = testKit.createTestProbe();
  private final TestProbe<GatewayRequest> gateway2 = testKit.createTestProbe();
  private final TestProbe<Done> stopped = testKit.createTestProbe();

  private ActorRef<LeadershipHandover.Command> handover(Cluster cluster, MetadataView view, long epoch, Duration timeout) {
    ActorRef<LeadershipHandover.Command> ref = testKit.spawn(LeadershipHandover.create(0, () -> epoch, view,
        lifecycle.ref(), DEFAULTS, b -> b.id() == 1 ? gateway1.ref() : gateway2.ref(), java.util.Set.of(0, 1, 2), timeout,
        () -> false));
    ref.tell(new LeadershipHandover.Start(stopped.ref()));
    return ref;
  }

  private static MetadataView viewOf(MetadataResponse m) {
    MetadataView view = new MetadataView();
    view.update(m);
    return view;
  }

  /** The fence the lifecycle was asked for, answered. */
  private void answerFence() {
    lifecycle.expectMessageClass(BrokerLifecycle.ShutDown.class).replyTo().tell(Done.getInstance());
  }

  private static void answer(TestProbe<GatewayRequest> gateway, MetadataResponse m) {
    ((GetMetadata) gateway.expectMessageClass(GetMetadata.class)).replyTo().tell(m);
  }

  @Test
  void itAnswersOnlyOnceItsOwnMetadataAndEveryLivePeersShowTheLeadershipMoved() {
    Cluster cluster = new Cluster(3);
    MetadataResponse before = cluster.metadata();
    MetadataView view = viewOf(before);
    handover(cluster, view, cluster.epochs[0], LONG);
    answerFence();
    stopped.expectNoMessage(Duration.ofMillis(300));
    gateway1.expectNoMessage(Duration.ZERO); // no peer is asked before the fence shows here

    MetadataResponse fenced = cluster.fence(0);
    view.update(fenced);
    answer(gateway1, before); // broker 1 has not heard yet
    answer(gateway2, fenced);
    stopped.expectNoMessage(Duration.ofMillis(300));
    answer(gateway1, fenced); // asked again, and now it has
    stopped.expectMessage(Done.getInstance());
    gateway2.expectNoMessage(Duration.ZERO);
  }

  @Test
  void itAsksForTheFenceAgainWhileItsMetadataDoesNotShowIt() {
    Cluster cluster = new Cluster(3);
    MetadataView view = viewOf(cluster.metadata());
    handover(cluster, view, cluster.epochs[0], LONG);
    answerFence();
    answerFence(); // answered (NOT_CONTROLLER, say) but nothing changed: a second of waiting, then again
    MetadataResponse fenced = cluster.fence(0);
    view.update(fenced);
    answer(gateway1, fenced);
    answer(gateway2, fenced);
    stopped.expectMessage(Done.getInstance());
  }

  @Test
  void aPeerThatDoesNotAnswerIsWaitedForOnlyUntilItIsFencedToo() {
    Cluster cluster = new Cluster(3);
    MetadataView view = viewOf(cluster.metadata());
    handover(cluster, view, cluster.epochs[0], LONG);
    answerFence();
    MetadataResponse fenced = cluster.fence(0);
    view.update(fenced);
    answer(gateway1, fenced);
    gateway2.expectMessageClass(GetMetadata.class); // broker 2 died: no answer
    stopped.expectNoMessage(Duration.ofMillis(500));
    view.update(cluster.fence(2)); // its session expired
    stopped.expectMessage(Done.getInstance());
  }

  @Test
  void itGivesUpAfterItsTimeoutWhenNoControllerFencesIt() {
    Cluster cluster = new Cluster(3);
    handover(cluster, viewOf(cluster.metadata()), cluster.epochs[0], Duration.ofMillis(1500));
    answerFence();
    stopped.expectMessage(Duration.ofSeconds(5), Done.getInstance());
    gateway1.expectNoMessage(Duration.ZERO);
  }

  @Test
  void aBrokerWithNoLivePeerAsksForTheFenceOnceAndGoes() {
    Cluster cluster = new Cluster(1);
    handover(cluster, viewOf(cluster.metadata()), cluster.epochs[0], LONG);
    answerFence();
    stopped.expectMessage(Done.getInstance());
    lifecycle.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anUnregisteredBrokerHasNothingToHandOver() {
    Cluster cluster = new Cluster(3);
    handover(cluster, viewOf(cluster.metadata()), -1, LONG);
    stopped.expectMessage(Done.getInstance());
    lifecycle.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void itDoesNotWaitForAFenceNoControllerCanCommitAnyMore() {
    Cluster cluster = new Cluster(4); // voters 0, 1, 2; broker 3 is not one
    cluster.fence(1); // two of the three voters are gone: no quorum, though broker 3 is live
    MetadataView view = viewOf(cluster.fence(2));
    handover(cluster, view, cluster.epochs[0], LONG);
    answerFence();
    stopped.expectMessage(Done.getInstance());
    gateway2.expectNoMessage(Duration.ZERO);
  }

  @Test
  void aQuorumLostWhileItWaitsEndsTheWait() {
    Cluster cluster = new Cluster(4);
    MetadataView view = viewOf(cluster.metadata());
    handover(cluster, view, cluster.epochs[0], LONG);
    answerFence(); // not committed
    stopped.expectNoMessage(Duration.ofMillis(300));
    cluster.fence(1);
    view.update(cluster.fence(2));
    stopped.expectMessage(Done.getInstance());
  }

  @Test
  void theWaitIsCutToWhatTheShutdownPhaseLeaves() {
    assertEquals(Duration.ofSeconds(30), LeadershipHandover.timeout(ConfigFactory.load()));
    assertEquals(Duration.ofSeconds(7), LeadershipHandover.timeout(ConfigFactory.parseString(
        "pekko.coordinated-shutdown.phases.before-service-unbind.timeout = 10s").withFallback(ConfigFactory.load())));
  }
}
