package dev.tributary.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tributary.protocol.GroupPartitions;
import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.junit.jupiter.api.Test;

class CoordinatorAnswersTest {

  /** Two brokers; partition p of __groups (3 partitions) is led by broker p % 2, partition 2 has no leader. */
  private static MetadataResponse metadata() {
    List<PartitionInfo> partitions = new ArrayList<>();
    partitions.add(new PartitionInfo(0, 1, List.of(0, 1), List.of(0, 1)));
    partitions.add(new PartitionInfo(1, 1, List.of(1, 0), List.of(1, 0)));
    partitions.add(new PartitionInfo(PartitionInfo.NO_LEADER, 2, List.of(0, 1), List.of()));
    TopicMetadata groups = new TopicMetadata(GroupPartitions.TOPIC, "", 3, Map.of(), List.of("", "", ""), partitions);
    return new MetadataResponse(1, Map.of(GroupPartitions.TOPIC, groups), List.of(), "c", 0, 1,
        List.of(new BrokerInfo(0, "a:1", 1, BrokerInfo.REGISTERED, "d0", false, "h0:9092"),
            new BrokerInfo(1, "b:1", 2, BrokerInfo.REGISTERED, "d1", false, "h1:9093")));
  }

  private static String groupIn(int partition) {
    for (int i = 0; ; i++) {
      if (GroupPartitions.partitionFor("g" + i, 3) == partition) {
        return "g" + i;
      }
    }
  }

  @Test
  void aGroupsCoordinatorIsTheLeaderOfItsPartitionOfGroups() {
    FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKey(groupIn(1))
        .setKeyType(CoordinatorType.GROUP.id());
    FindCoordinatorResponseData answer = CoordinatorAnswers.answer(request, (short) 3, metadata());
    assertEquals(Errors.NONE.code(), answer.errorCode());
    assertEquals(1, answer.nodeId());
    assertEquals("h1", answer.host());
    assertEquals(9093, answer.port());
    assertEquals(0, answer.coordinators().size(), "the old form answers at the top level");
  }

  @Test
  void batchedKeysAreAnsweredEachAndALeaderlessPartitionSaysRetry() {
    FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKeyType(CoordinatorType.GROUP.id())
        .setCoordinatorKeys(List.of(groupIn(0), groupIn(1), groupIn(2)));
    FindCoordinatorResponseData answer = CoordinatorAnswers.answer(request, (short) 6, metadata());
    assertEquals(3, answer.coordinators().size());
    assertEquals(0, answer.coordinators().get(0).nodeId());
    assertEquals("h0", answer.coordinators().get(0).host());
    assertEquals(1, answer.coordinators().get(1).nodeId());
    assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), answer.coordinators().get(2).errorCode());
    assertEquals(groupIn(2), answer.coordinators().get(2).key());
  }

  @Test
  void transactionsHaveNoCoordinator() {
    FindCoordinatorRequestData request = new FindCoordinatorRequestData().setKeyType(CoordinatorType.TRANSACTION.id())
        .setCoordinatorKeys(List.of("tx"));
    FindCoordinatorResponseData.Coordinator c = CoordinatorAnswers.answer(request, (short) 4, metadata())
        .coordinators().get(0);
    assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), c.errorCode());
    assertEquals(true, c.errorMessage().contains("transactions"), c.errorMessage());
  }

  @Test
  void beforeGroupsExistsTheCoordinatorIsNotAvailable() {
    MetadataResponse none = new MetadataResponse(1, Map.of(), List.of());
    assertEquals(true, CoordinatorAnswers.groupsTopicMissing(none));
    FindCoordinatorResponseData answer = CoordinatorAnswers.answer(new FindCoordinatorRequestData().setKey("g"),
        (short) 2, none);
    assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), answer.errorCode());
  }
}
