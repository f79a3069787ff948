package dev.tributary.admin;

import dev.tributary.protocol.ErrorCode;

/** Which HTTP status each protocol error gets. */
final class ErrorMapping {

  private ErrorMapping() {}

  static int status(ErrorCode code) {
    return switch (code) {
      case NONE -> 200;
      case UNKNOWN_TOPIC_OR_PARTITION, GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID -> 404;
      case TOPIC_ALREADY_EXISTS, GROUP_NOT_EMPTY -> 409;
      case STALE_MEMBER_EPOCH, NOT_PARTITION_OWNER, INVALID_GROUP_ID, NO_COMMITTED_OFFSET,
          OFFSET_METADATA_TOO_LARGE -> 400;
      case INVALID_TOPIC, INVALID_PARTITIONS, INVALID_CONFIG, INVALID_REQUEST, CORRUPT_RECORD,
          OFFSET_OUT_OF_RANGE, OUT_OF_ORDER_SEQUENCE, INVALID_PRODUCER_EPOCH, INVALID_REPLICATION_FACTOR -> 400;
      case INVALID_UPDATE_VERSION, INELIGIBLE_REPLICA -> 409;
      case RECORD_TOO_LARGE -> 413;
      case REQUEST_TIMED_OUT, BROKER_NOT_AVAILABLE, NOT_LEADER, KAFKA_STORAGE_ERROR, NOT_CONTROLLER,
          STALE_BROKER_EPOCH, BROKER_ID_NOT_REGISTERED, FENCED_LEADER_EPOCH, NOT_ENOUGH_REPLICAS,
          NOT_ENOUGH_REPLICAS_AFTER_APPEND, UNKNOWN_LEADER_EPOCH, COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
          COORDINATOR_LOAD_IN_PROGRESS -> 503;
      case UNKNOWN_SERVER_ERROR -> 500;
    };
  }

  static String title(ErrorCode code) {
    return switch (status(code)) {
      case 404 -> "Not found";
      case 409 -> "Conflict";
      case 413 -> "Payload too large";
      case 503 -> "Service unavailable";
      case 500 -> "Internal error";
      default -> "Bad request";
    };
  }
}
