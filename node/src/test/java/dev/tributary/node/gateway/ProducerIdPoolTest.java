package dev.tributary.node.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.tributary.node.controller.Controller;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.InitProducerId;
import dev.tributary.protocol.message.ProducerIdResponse;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The control gateway's producer-id pool: one lease at a time for every producer that waits, ids
 * handed out from the leased block, and a failed lease answered to every waiting producer with the
 * reason the gateway got (a plain string since the gateway's messages carry no Throwable).
 */
class ProducerIdPoolTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void producersWaitingForALeaseGetIdsFromTheBlockInTurn() {
    ProducerIdPool pool = new ProducerIdPool();
    TestProbe<ProducerIdResponse> first = testKit.createTestProbe();
    TestProbe<ProducerIdResponse> second = testKit.createTestProbe();
    assertTrue(pool.serveOrQueue(new InitProducerId(first.ref())), "an empty pool asks for a lease");
    assertFalse(pool.serveOrQueue(new InitProducerId(second.ref())), "one lease at a time");
    pool.onBlock(new Controller.ProducerIdBlock(1_000, 2));
    assertEquals(1_000, first.receiveMessage().producerId());
    assertEquals(1_001, second.receiveMessage().producerId());
    TestProbe<ProducerIdResponse> third = testKit.createTestProbe();
    assertTrue(pool.serveOrQueue(new InitProducerId(third.ref())), "the block is used up");
    third.expectNoMessage();
  }

  @Test
  void aFailedLeaseAnswersEveryWaitingProducerWithTheReasonAndTheNextRequestLeasesAgain() {
    ProducerIdPool pool = new ProducerIdPool();
    TestProbe<ProducerIdResponse> first = testKit.createTestProbe();
    TestProbe<ProducerIdResponse> second = testKit.createTestProbe();
    pool.serveOrQueue(new InitProducerId(first.ref()));
    pool.serveOrQueue(new InitProducerId(second.ref()));
    pool.onLeaseFailed("Ask timed out on the controller after 10000 ms");
    for (TestProbe<ProducerIdResponse> producer : java.util.List.of(first, second)) {
      ProducerIdResponse refused = producer.receiveMessage();
      assertEquals(ErrorCode.BROKER_NOT_AVAILABLE, refused.error());
      assertTrue(refused.errorMessage().contains("Ask timed out on the controller"), refused.errorMessage());
      assertTrue(refused.errorMessage().endsWith("retry"), refused.errorMessage());
    }
    assertTrue(pool.serveOrQueue(new InitProducerId(testKit.<ProducerIdResponse>createTestProbe().ref())));
  }
}
