package dev.tributary.node.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.client.TopicPartition;
import dev.tributary.client.TributaryClient;
import dev.tributary.node.TestBroker;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.GroupRequest.HeartbeatResponse;
import dev.tributary.protocol.message.GroupRequest.OffsetsResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's coordinator on a real single-node broker, its group log a real partition of
 * {@code __groups}: its answers, pushes and session timeouts as a member sees them, sent straight
 * to the broker's gateway from probes in the broker's own actor system. Every message is
 * serialized, as it would be on the wire.
 */
class GroupCoordinatorTest {

  @TempDir
  static Path dataDir;
  private static TestBroker broker;
  private static ActorTestKit testKit;
  private static ActorRef<GatewayRequest> coordinator;
  private static final AtomicInteger groups = new AtomicInteger();
  private static final Duration LONG_SESSION = Duration.ofMinutes(1);

  private final String groupId = "g-" + groups.incrementAndGet();

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dataDir);
    testKit = ActorTestKit.create(broker.broker().system());
    coordinator = ActorRefResolver.get(broker.broker().system()).resolveActorRef(
        Tributary.gatewayPath("127.0.0.1", broker.broker().port()));
    try (TributaryClient client = broker.client()) {
      TestBroker.await(client.createTopic("t", 4, Map.of()));
      // The first group request creates the group log; the client asks again until its coordinator answers.
      GroupRequest.GroupDescription none = TestBroker.await(client.<GroupRequest.GroupDescription>group(
          replyTo -> new GroupRequest.Describe("warm-up", replyTo)));
      assertEquals(ErrorCode.GROUP_ID_NOT_FOUND, none.error(), none.toString());
    }
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  /** A member as the coordinator sees it: its heartbeat answers and its inbox for pushes. */
  private final class Member {
    final TestProbe<HeartbeatResponse> replies = testKit.createTestProbe(HeartbeatResponse.class);
    final TestProbe<HeartbeatResponse> inbox = testKit.createTestProbe(HeartbeatResponse.class);
    final Duration sessionTimeout;
    String id = "";
    int appliedEpoch;
    List<TopicPartition> owned = List.of();

    Member(Duration sessionTimeout) {
      this.sessionTimeout = sessionTimeout;
    }

    HeartbeatResponse beat() {
      coordinator.tell(new GroupRequest.Heartbeat(groupId, id, appliedEpoch, List.of("t"), "", owned, false,
          (int) sessionTimeout.toMillis(), "", inbox.getRef(), replies.getRef()));
      HeartbeatResponse answer = replies.receiveMessage();
      if (answer.error() == ErrorCode.NONE) {
        id = answer.memberId();
      }
      return answer;
    }

    /** Applies an assignment as a consumer's poll does, and says so in a heartbeat. */
    HeartbeatResponse apply(HeartbeatResponse assignment) {
      appliedEpoch = assignment.memberEpoch();
      owned = assignment.assignment();
      return beat();
    }
  }

  @Test
  void aMemberJoinsAndGetsEveryPartitionOfItsTopic() {
    Member a = new Member(LONG_SESSION);
    HeartbeatResponse joined = a.beat();
    assertEquals(ErrorCode.NONE, joined.error());
    assertFalse(joined.memberId().isEmpty());
    assertEquals(Set.of(p(0), p(1), p(2), p(3)), Set.copyOf(joined.assignment()));
    assertEquals(GroupCoordinator.HEARTBEAT_INTERVAL.toMillis(), joined.heartbeatIntervalMs());

    HeartbeatResponse again = a.apply(joined);
    assertEquals(joined.memberEpoch(), again.memberEpoch(), "nothing changed: same epoch");
    assertEquals(Set.copyOf(joined.assignment()), Set.copyOf(again.assignment()));
    a.inbox.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aSecondMemberGetsItsShareOnlyAfterTheFirstLetsGo() {
    Member a = new Member(LONG_SESSION);
    a.apply(a.beat());
    Member b = new Member(LONG_SESSION);
    HeartbeatResponse bJoined = b.beat();
    assertEquals(List.of(), bJoined.assignment(), "a still holds every partition");

    HeartbeatResponse revocation = a.inbox.receiveMessage();
    assertEquals(2, revocation.assignment().size());
    b.inbox.expectNoMessage(Duration.ofMillis(200));

    a.apply(revocation);
    HeartbeatResponse handedOver = b.inbox.receiveMessage();
    Set<TopicPartition> all = new HashSet<>(revocation.assignment());
    all.addAll(handedOver.assignment());
    assertEquals(2, handedOver.assignment().size());
    assertEquals(Set.of(p(0), p(1), p(2), p(3)), all, "every partition has exactly one owner");
  }

  @Test
  void aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeout() {
    Member a = new Member(LONG_SESSION);
    a.apply(a.beat());
    Member silent = new Member(Duration.ofMillis(500));
    silent.beat();
    assertEquals(2, a.inbox.receiveMessage().assignment().size());

    // The silent member never beats again: once its timeout passes, a is given everything back.
    HeartbeatResponse back = a.inbox.receiveMessage(Duration.ofSeconds(10));
    assertEquals(Set.of(p(0), p(1), p(2), p(3)), Set.copyOf(back.assignment()));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, silent.beat().error());

    TestProbe<GroupRequest.GroupDescription> described = testKit.createTestProbe();
    coordinator.tell(new GroupRequest.Describe(groupId, described.getRef()));
    GroupRequest.GroupDescription description = described.receiveMessage();
    assertEquals(List.of(a.id), description.members().stream().map(GroupRequest.MemberDescription::memberId).toList());
  }

  @Test
  void aCommitWithAStaleEpochIsRefusedAndACurrentOneIsStored() {
    Member a = new Member(LONG_SESSION);
    HeartbeatResponse assignment = a.beat();
    a.apply(assignment);
    TestProbe<OffsetsResponse> answers = testKit.createTestProbe(OffsetsResponse.class);
    List<CommittedOffset> offsets = List.of(new CommittedOffset(p(1), 42, "m"));

    coordinator.tell(new GroupRequest.CommitOffsets(groupId, a.id, assignment.memberEpoch() + 1, offsets,
        answers.getRef()));
    assertEquals(ErrorCode.STALE_MEMBER_EPOCH, answers.receiveMessage().error());
    coordinator.tell(new GroupRequest.CommitOffsets(groupId, "someone-else", assignment.memberEpoch(), offsets,
        answers.getRef()));
    assertEquals(ErrorCode.UNKNOWN_MEMBER_ID, answers.receiveMessage().error());

    coordinator.tell(new GroupRequest.CommitOffsets(groupId, a.id, assignment.memberEpoch(), offsets,
        answers.getRef()));
    assertEquals(new OffsetsResponse(ErrorCode.NONE, "", offsets), answers.receiveMessage());
    coordinator.tell(new GroupRequest.FetchOffsets(groupId, List.of(p(1), p(2)), answers.getRef()));
    assertEquals(offsets, answers.receiveMessage().offsets());
  }

  @Test
  void anInvalidTopicPatternIsRefusedWithTheReason() {
    TestProbe<HeartbeatResponse> replies = testKit.createTestProbe(HeartbeatResponse.class);
    coordinator.tell(new GroupRequest.Heartbeat(groupId, "", 0, List.of(), "orders-(", List.of(), false, 10_000, "",
        null, replies.getRef()));
    HeartbeatResponse answer = replies.receiveMessage();
    assertEquals(ErrorCode.INVALID_REQUEST, answer.error());
    assertTrue(answer.errorMessage().contains("orders-("), answer.errorMessage());
  }

  @Test
  void offsetsCannotBeResetWhileTheGroupHasMembers() {
    Member a = new Member(LONG_SESSION);
    a.beat();
    TestProbe<OffsetsResponse> answers = testKit.createTestProbe(OffsetsResponse.class);
    coordinator.tell(new GroupRequest.ResetOffsets(groupId, List.of(new CommittedOffset(p(0), 0, "")),
        answers.getRef()));
    assertEquals(ErrorCode.GROUP_NOT_EMPTY, answers.receiveMessage().error());
  }

  private static TopicPartition p(int partition) {
    return new TopicPartition("t", partition);
  }
}
