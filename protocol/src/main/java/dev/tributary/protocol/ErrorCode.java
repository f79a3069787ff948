package dev.tributary.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * The errors of the Tributary protocol, shared by the client, the broker and the HTTP API. Each
 * says what went wrong and what to do about it; {@link #retriable()} tells clients whether to
 * retry on their own.
 *
 * <p>On the wire an error is its {@link #code()}, never its ordinal or its name, so constants may
 * be reordered or added without changing what deployed clients read. The numbers:
 * <ul>
 *   <li>Where Kafka has the same error, Kafka's number ({@code org.apache.kafka.common.protocol.Errors};
 *       the Kafka name is noted where it differs from ours), so a Kafka-protocol edge maps codes
 *       one to one.
 *   <li>Errors Kafka does not have are numbered from {@value #OWN_CODES_START} up, a range Kafka's
 *       codes (below 200 in Kafka 4.4) will not reach.
 *   <li>Every code fits a signed 16-bit integer: the data plane writes it as one, like Kafka.
 *   <li>A number is never changed or reused: a retired error leaves a gap. {@code ErrorCodeTest}
 *       pins every number.
 * </ul>
 * A code this side does not know (sent by a newer peer) reads as {@link #UNKNOWN_SERVER_ERROR},
 * which older clients already handle; the peer's message text still travels with it.
 */
public enum ErrorCode {
  NONE(0, false, "no error"),
  UNKNOWN_TOPIC_OR_PARTITION(3, true,
      "the topic or partition does not exist: create the topic first, or check its partition count"),
  /** Kafka: INVALID_TOPIC_EXCEPTION. */
  INVALID_TOPIC(17, false,
      "invalid topic name: use 1-249 characters from [a-zA-Z0-9._-], not '.' or '..', and not starting with '__'"),
  TOPIC_ALREADY_EXISTS(36, false, "a topic with this name already exists: pick another name or delete it first"),
  INVALID_PARTITIONS(37, false, "invalid partition count: use 1 to 10000, and never fewer than the topic has"),
  INVALID_CONFIG(40, false, "invalid topic config: see the detail for the key and the allowed values"),
  INVALID_REPLICATION_FACTOR(38, false,
      "invalid replication factor: use 1 up to the number of live brokers (see: tributary cluster describe)"),
  /**
   * Kafka: MESSAGE_TOO_LARGE (its RecordTooLargeException), the batch over max.message.bytes; not
   * Kafka's RECORD_LIST_TOO_LARGE (18), which is a batch larger than a log segment.
   */
  RECORD_TOO_LARGE(10, false,
      "the batch is larger than the topic's max.message.bytes: send smaller records or raise the limit"),
  /** Kafka: CORRUPT_MESSAGE (its CorruptRecordException). */
  CORRUPT_RECORD(2, false, "the batch failed its CRC or format check: it was damaged; send it again"),
  OFFSET_OUT_OF_RANGE(1, false,
      "the offset is outside [log start offset, log end offset]: seek to earliest or latest"),
  /** Kafka: NOT_LEADER_OR_FOLLOWER. */
  NOT_LEADER(6, true, "this broker does not lead the partition: refresh metadata and retry on the leader"),
  /** Kafka: OUT_OF_ORDER_SEQUENCE_NUMBER. */
  OUT_OF_ORDER_SEQUENCE(45, false,
      "the producer's sequence number has a gap: a batch was lost; restart the producer to get a new id"),
  INVALID_PRODUCER_EPOCH(47, false, "the producer epoch is older than the partition has seen: this producer was fenced"),
  INVALID_REQUEST(42, false, "the request is malformed: see the detail"),
  UNKNOWN_MEMBER_ID(25, false, "the group does not know this member (it left or timed out): rejoin the group"),
  STALE_MEMBER_EPOCH(113, false,
      "the member's epoch is not current: its assignment changed; poll to take the new one, then commit"),
  /** Ours: Kafka does not check that a committing member owns the partition. */
  NOT_PARTITION_OWNER(10_000, false,
      "the member does not own the partition it commits for: commit only assigned partitions"),
  /** Kafka: NON_EMPTY_GROUP. */
  GROUP_NOT_EMPTY(68, false, "the group has live members: stop its consumers first"),
  GROUP_ID_NOT_FOUND(69, false, "the group does not exist (it has no members and no committed offsets)"),
  INVALID_GROUP_ID(24, false, "invalid group id: use 1-249 characters, not blank"),
  /** Ours: Kafka's client throws NoOffsetForPartitionException, which has no error code. */
  NO_COMMITTED_OFFSET(10_001, false,
      "the partition has no committed offset and auto-offset-reset is none: seek first or reset the group's offsets"),
  OFFSET_METADATA_TOO_LARGE(12, false, "the commit's metadata string is too long: keep it to 4096 characters"),
  REQUEST_TIMED_OUT(7, true, "the request did not complete in time: retry, or raise the timeout"),
  BROKER_NOT_AVAILABLE(8, true, "the broker cannot serve requests right now (starting or stopping): retry shortly"),
  NOT_CONTROLLER(41, true, "no active controller answered (an election is under way): retry shortly"),
  STALE_BROKER_EPOCH(77, false,
      "the broker's epoch is not its current registration's (it was fenced or restarted): it must register again"),
  BROKER_ID_NOT_REGISTERED(102, true, "the broker has not registered with the controller yet: retry shortly"),
  /** Kafka: NOT_ENOUGH_REPLICAS, refused before the write, so nothing was stored. */
  NOT_ENOUGH_REPLICAS(19, true,
      "fewer replicas are in sync than the topic's min.insync.replicas: the acks=all write was refused and not stored;"
          + " retry once replicas have caught up, or lower min.insync.replicas"),
  /**
   * Kafka: NOT_ENOUGH_REPLICAS_AFTER_APPEND, an {@code acks=all} batch stored by the leader while
   * the ISR shrank below {@code min.insync.replicas} before the batch was committed.
   */
  NOT_ENOUGH_REPLICAS_AFTER_APPEND(20, true,
      "the batch was stored by the leader, but the in-sync replicas fell below min.insync.replicas before it was"
          + " committed: it may or may not survive a leader change; retry (idempotent producers do not duplicate it)"),
  /** The request names a newer leader epoch than this broker knows: its metadata is behind; retry shortly. */
  UNKNOWN_LEADER_EPOCH(75, true,
      "the request names a newer leader epoch than this broker has seen: its metadata is catching up; retry shortly"),
  FENCED_LEADER_EPOCH(74, true,
      "the request names an older leader epoch than the partition's: leadership moved; refresh metadata and retry"),
  /** Kafka: INVALID_UPDATE_VERSION, a partition change asked for against an older partition epoch. */
  INVALID_UPDATE_VERSION(95, false,
      "the partition changed since this change was asked for (its partition epoch moved): look again and ask again"),
  INELIGIBLE_REPLICA(107, false,
      "a replica named for the ISR cannot be in it (not a replica, or its broker is fenced): see the detail"),
  /** Kafka: COORDINATOR_NOT_AVAILABLE, also while too few brokers registered to create the group log. */
  COORDINATOR_NOT_AVAILABLE(15, true,
      "the group's coordinator is not available (its group log has no leader, or is being created): retry shortly"),
  /** Kafka: NOT_COORDINATOR; the group's partition of __groups is led elsewhere now. */
  NOT_COORDINATOR(16, true,
      "this broker is not the group's coordinator (leadership of its group log moved): refresh metadata and retry"),
  /** Kafka: COORDINATOR_LOAD_IN_PROGRESS; a new coordinator is reading its group log. */
  COORDINATOR_LOAD_IN_PROGRESS(14, true, "the group's coordinator is loading its group log: retry shortly"),
  KAFKA_STORAGE_ERROR(56, true, "the broker could not read or write its log: check its disk and logs"),
  UNKNOWN_SERVER_ERROR(-1, false,
      "an unexpected error on the broker, or one newer than this client knows: see the detail and the broker's log");

  /** The first number of the codes Kafka does not have. */
  public static final int OWN_CODES_START = 10_000;

  private static final Map<Integer, ErrorCode> BY_CODE = new HashMap<>();

  static {
    for (ErrorCode e : values()) {
      if (BY_CODE.put(e.code, e) != null) {
        throw new IllegalStateException("two error codes have the number " + e.code);
      }
    }
  }

  private final int code;
  private final boolean retriable;
  private final String advice;

  ErrorCode(int code, boolean retriable, String advice) {
    if (code != (short) code) {
      throw new IllegalArgumentException(name() + "'s code " + code + " does not fit the wire's 16 bits");
    }
    this.code = code;
    this.retriable = retriable;
    this.advice = advice;
  }

  /** The number on the wire (a signed 16-bit value), fixed for good. */
  @JsonValue
  public int code() {
    return code;
  }

  /** The error with this number; {@link #UNKNOWN_SERVER_ERROR} for a number this side does not know. */
  public static ErrorCode forCode(int code) {
    return BY_CODE.getOrDefault(code, UNKNOWN_SERVER_ERROR);
  }

  /**
   * Jackson's reader: the number; or the name, as nodes and clients from before fixed numbers
   * wrote it, so a rolling upgrade keeps reading their replies. Anything else is
   * {@link #UNKNOWN_SERVER_ERROR}, like an unknown number. The mode is spelled out: without it
   * Jackson 2.19 hands an enum's creator every scalar as text.
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  static ErrorCode fromJson(Object value) {
    if (value instanceof Number n) {
      return n.longValue() == n.intValue() ? forCode(n.intValue()) : UNKNOWN_SERVER_ERROR;
    }
    if (value instanceof String text) {
      for (ErrorCode e : values()) {
        if (e.name().equals(text)) {
          return e;
        }
      }
    }
    return UNKNOWN_SERVER_ERROR;
  }

  public boolean retriable() {
    return retriable;
  }

  /** What went wrong and what to do, in one sentence. */
  public String advice() {
    return advice;
  }
}
