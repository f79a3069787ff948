package dev.tributary.node.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.tributary.node.partition.PartitionEntity;
import dev.tributary.node.partition.ReplicaCommand;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.message.GatewayRequest;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One {@link ReplicaFetcher} between a probe standing in for the leader's data gateway and a probe
 * standing in for the replica that stores what it fetches.
 */
class ReplicaFetcherTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private ActorTestKit testKit;
  private TestProbe<GatewayRequest> leader;
  private TestProbe<PartitionEntity.Command> replica;
  private ActorRef<ReplicaFetcher.Command> fetcher;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("replica-fetcher-test", // local: the default remote port may be taken
        ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    leader = testKit.createTestProbe(GatewayRequest.class);
    replica = testKit.createTestProbe(PartitionEntity.Command.class);
    fetcher = testKit.spawn(ReplicaFetcher.create(1, () -> 7L, Duration.ofSeconds(30)));
    fetcher.tell(new ReplicaFetcher.LeaderGateway(leader.ref()));
    fetcher.tell(new ReplicaFetcher.Add(position(10), replica.ref()));
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private static ReplicaCommand.FetchPosition position(long fetchOffset) {
    return new ReplicaCommand.FetchPosition("t", 0, 3, fetchOffset, 3);
  }

  private ReplicaFetch nextFetch() {
    return leader.expectMessageClass(ReplicaFetch.class, WAIT);
  }

  /** Answers {@code fetch} with {@code records} for the one partition; returns the replica's Apply. */
  private ReplicaCommand.Apply answer(ReplicaFetch fetch, byte[] records) {
    fetch.replyTo().tell(new ReplicaFetchResponse(fetch.fetchId(), List.of(new ReplicaFetchResponse.PartitionData(
        "t", 0, ErrorCode.NONE, "", 10, 0, 20, false, -1, -1, records))));
    return replica.expectMessageClass(ReplicaCommand.Apply.class, WAIT);
  }

  @Test
  void fetchesOnFromWhereTheReplicaStoredTo() {
    ReplicaFetch first = nextFetch();
    assertEquals(10, first.partitions().get(0).fetchOffset());
    answer(first, new byte[] {1, 2, 3}).replyTo().tell(position(20));
    assertEquals(20, nextFetch().partitions().get(0).fetchOffset(), "the next fetch starts where the copy ended");
  }

  @Test
  void batchesTheReplicaKeptNoneOfAreFetchedAgainOnlyAfterARest() {
    // The replica stored nothing of what came (a corrupt copy): its position is where it was.
    answer(nextFetch(), new byte[] {1, 2, 3}).replyTo().tell(position(10));
    // Not at once (which spins on a batch that stays corrupt on the leader), but after a rest.
    leader.expectNoMessage(Duration.ofMillis(150));
    assertEquals(10, nextFetch().partitions().get(0).fetchOffset());
  }
}
