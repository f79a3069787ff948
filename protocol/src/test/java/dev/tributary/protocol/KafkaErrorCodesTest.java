package dev.tributary.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Every error code we say is Kafka's has Kafka's number for the same error, checked against
 * {@link Errors} of kafka-clients itself: same number, the Kafka name we mapped it to, and the
 * exception Kafka raises for it (the meaning, where the names differ). Every other code sits in
 * our own range, on a number Kafka does not use.
 */
class KafkaErrorCodesTest {

  private record Kafka(String name, String exception) {}

  /** Our name to Kafka's name and exception class: the claims, checked one by one. */
  private static final Map<String, Kafka> CLAIMED = claimed();

  /** Ours alone: Kafka has no such error. */
  private static final Set<String> OURS = Set.of("NOT_PARTITION_OWNER", "NO_COMMITTED_OFFSET");

  private static Map<String, Kafka> claimed() {
    Map<String, Kafka> m = new LinkedHashMap<>();
    m.put("NONE", new Kafka("NONE", null));
    m.put("UNKNOWN_SERVER_ERROR", new Kafka("UNKNOWN_SERVER_ERROR", "UnknownServerException"));
    m.put("OFFSET_OUT_OF_RANGE", new Kafka("OFFSET_OUT_OF_RANGE", "OffsetOutOfRangeException"));
    m.put("CORRUPT_RECORD", new Kafka("CORRUPT_MESSAGE", "CorruptRecordException"));
    m.put("UNKNOWN_TOPIC_OR_PARTITION", new Kafka("UNKNOWN_TOPIC_OR_PARTITION", "UnknownTopicOrPartitionException"));
    m.put("NOT_LEADER", new Kafka("NOT_LEADER_OR_FOLLOWER", "NotLeaderOrFollowerException"));
    m.put("REQUEST_TIMED_OUT", new Kafka("REQUEST_TIMED_OUT", "TimeoutException"));
    m.put("NOT_CONTROLLER", new Kafka("NOT_CONTROLLER", "NotControllerException"));
    m.put("STALE_BROKER_EPOCH", new Kafka("STALE_BROKER_EPOCH", "StaleBrokerEpochException"));
    m.put("BROKER_ID_NOT_REGISTERED", new Kafka("BROKER_ID_NOT_REGISTERED", "BrokerIdNotRegisteredException"));
    m.put("BROKER_NOT_AVAILABLE", new Kafka("BROKER_NOT_AVAILABLE", "BrokerNotAvailableException"));
    // Over max.message.bytes: Kafka's MESSAGE_TOO_LARGE raises RecordTooLargeException; its
    // RECORD_LIST_TOO_LARGE (18) is a batch larger than a segment, another error.
    m.put("RECORD_TOO_LARGE", new Kafka("MESSAGE_TOO_LARGE", "RecordTooLargeException"));
    m.put("OFFSET_METADATA_TOO_LARGE", new Kafka("OFFSET_METADATA_TOO_LARGE", "OffsetMetadataTooLarge"));
    m.put("INVALID_TOPIC", new Kafka("INVALID_TOPIC_EXCEPTION", "InvalidTopicException"));
    m.put("INVALID_GROUP_ID", new Kafka("INVALID_GROUP_ID", "InvalidGroupIdException"));
    m.put("UNKNOWN_MEMBER_ID", new Kafka("UNKNOWN_MEMBER_ID", "UnknownMemberIdException"));
    m.put("TOPIC_ALREADY_EXISTS", new Kafka("TOPIC_ALREADY_EXISTS", "TopicExistsException"));
    m.put("INVALID_PARTITIONS", new Kafka("INVALID_PARTITIONS", "InvalidPartitionsException"));
    m.put("INVALID_CONFIG", new Kafka("INVALID_CONFIG", "InvalidConfigurationException"));
    m.put("INVALID_REPLICATION_FACTOR", new Kafka("INVALID_REPLICATION_FACTOR", "InvalidReplicationFactorException"));
    m.put("FENCED_LEADER_EPOCH", new Kafka("FENCED_LEADER_EPOCH", "FencedLeaderEpochException"));
    m.put("NOT_ENOUGH_REPLICAS", new Kafka("NOT_ENOUGH_REPLICAS", "NotEnoughReplicasException"));
    m.put("NOT_ENOUGH_REPLICAS_AFTER_APPEND",
        new Kafka("NOT_ENOUGH_REPLICAS_AFTER_APPEND", "NotEnoughReplicasAfterAppendException"));
    m.put("UNKNOWN_LEADER_EPOCH", new Kafka("UNKNOWN_LEADER_EPOCH", "UnknownLeaderEpochException"));
    m.put("INVALID_UPDATE_VERSION", new Kafka("INVALID_UPDATE_VERSION", "InvalidUpdateVersionException"));
    m.put("INELIGIBLE_REPLICA", new Kafka("INELIGIBLE_REPLICA", "IneligibleReplicaException"));
    m.put("INVALID_REQUEST", new Kafka("INVALID_REQUEST", "InvalidRequestException"));
    m.put("OUT_OF_ORDER_SEQUENCE", new Kafka("OUT_OF_ORDER_SEQUENCE_NUMBER", "OutOfOrderSequenceException"));
    m.put("INVALID_PRODUCER_EPOCH", new Kafka("INVALID_PRODUCER_EPOCH", "InvalidProducerEpochException"));
    m.put("KAFKA_STORAGE_ERROR", new Kafka("KAFKA_STORAGE_ERROR", "KafkaStorageException"));
    m.put("GROUP_NOT_EMPTY", new Kafka("NON_EMPTY_GROUP", "GroupNotEmptyException"));
    m.put("GROUP_ID_NOT_FOUND", new Kafka("GROUP_ID_NOT_FOUND", "GroupIdNotFoundException"));
    m.put("COORDINATOR_LOAD_IN_PROGRESS", new Kafka("COORDINATOR_LOAD_IN_PROGRESS", "CoordinatorLoadInProgressException"));
    m.put("COORDINATOR_NOT_AVAILABLE", new Kafka("COORDINATOR_NOT_AVAILABLE", "CoordinatorNotAvailableException"));
    m.put("NOT_COORDINATOR", new Kafka("NOT_COORDINATOR", "NotCoordinatorException"));
    // KIP-848: an offset commit whose member epoch is behind the coordinator's.
    m.put("STALE_MEMBER_EPOCH", new Kafka("STALE_MEMBER_EPOCH", "StaleMemberEpochException"));
    return m;
  }

  private static Errors kafkaWithCode(int code) {
    return Arrays.stream(Errors.values()).filter(e -> e.code() == code).findFirst().orElse(null);
  }

  @Test
  void everyErrorCodeIsEitherClaimedAsKafkasOrOurOwn() {
    Set<String> all = new HashSet<>();
    for (ErrorCode e : ErrorCode.values()) {
      all.add(e.name());
      assertTrue(CLAIMED.containsKey(e.name()) ^ OURS.contains(e.name()),
          e + " must be listed either as Kafka's (with Kafka's name) or as ours");
    }
    assertEquals(all.size(), CLAIMED.size() + OURS.size(), "a listed name is not an ErrorCode");
  }

  @Test
  void everyCodeClaimedAsKafkasHasKafkasNumberForTheSameError() {
    for (Map.Entry<String, Kafka> claim : CLAIMED.entrySet()) {
      ErrorCode ours = ErrorCode.valueOf(claim.getKey());
      Errors kafka = kafkaWithCode(ours.code());
      assertNotNull(kafka, ours + "'s number " + ours.code() + " is not a Kafka error code");
      assertEquals(claim.getValue().name(), kafka.name(), ours + "'s number " + ours.code() + " is another Kafka error");
      String exception = kafka.exception() == null ? null : kafka.exception().getClass().getSimpleName();
      assertEquals(claim.getValue().exception(), exception, ours + ": Kafka raises another exception for this code");
    }
  }

  @Test
  void ourOwnCodesAreInOurRangeAndUnusedByKafka() {
    for (String name : OURS) {
      ErrorCode ours = ErrorCode.valueOf(name);
      assertTrue(ours.code() >= ErrorCode.OWN_CODES_START, ours + " must be numbered from " + ErrorCode.OWN_CODES_START);
      assertEquals(null, kafkaWithCode(ours.code()), ours + "'s number is Kafka's");
    }
    int kafkaMax = Arrays.stream(Errors.values()).mapToInt(Errors::code).max().orElseThrow();
    assertTrue(kafkaMax < ErrorCode.OWN_CODES_START, "Kafka's codes reached our range: " + kafkaMax);
  }
}
