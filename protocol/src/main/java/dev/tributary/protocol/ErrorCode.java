package dev.tributary.protocol;

/**
 * The errors of the Tributary protocol, shared by the client, the broker and the HTTP API. Each
 * says what went wrong and what to do about it; {@link #retriable()} tells clients whether to
 * retry on their own.
 */
public enum ErrorCode {
  NONE(false, "no error"),
  UNKNOWN_TOPIC_OR_PARTITION(true,
      "the topic or partition does not exist: create the topic first, or check its partition count"),
  INVALID_TOPIC(false,
      "invalid topic name: use 1-249 characters from [a-zA-Z0-9._-], not '.' or '..', and not starting with '__'"),
  TOPIC_ALREADY_EXISTS(false, "a topic with this name already exists: pick another name or delete it first"),
  INVALID_PARTITIONS(false, "invalid partition count: use 1 to 10000, and never fewer than the topic has"),
  INVALID_CONFIG(false, "invalid topic config: see the detail for the key and the allowed values"),
  RECORD_TOO_LARGE(false,
      "the batch is larger than the topic's max.message.bytes: send smaller records or raise the limit"),
  CORRUPT_RECORD(false, "the batch failed its CRC or format check: it was damaged; send it again"),
  OFFSET_OUT_OF_RANGE(false,
      "the offset is outside [log start offset, log end offset]: seek to earliest or latest"),
  NOT_LEADER(true, "this broker does not lead the partition: refresh metadata and retry on the leader"),
  OUT_OF_ORDER_SEQUENCE(false,
      "the producer's sequence number has a gap: a batch was lost; restart the producer to get a new id"),
  INVALID_PRODUCER_EPOCH(false, "the producer epoch is older than the partition has seen: this producer was fenced"),
  INVALID_REQUEST(false, "the request is malformed: see the detail"),
  UNKNOWN_MEMBER_ID(false, "the group does not know this member (it left or timed out): rejoin the group"),
  STALE_MEMBER_EPOCH(false,
      "the member's epoch is not current: its assignment changed; poll to take the new one, then commit"),
  NOT_PARTITION_OWNER(false, "the member does not own the partition it commits for: commit only assigned partitions"),
  GROUP_NOT_EMPTY(false, "the group has live members: stop its consumers first"),
  GROUP_ID_NOT_FOUND(false, "the group does not exist (it has no members and no committed offsets)"),
  INVALID_GROUP_ID(false, "invalid group id: use 1-249 characters, not blank"),
  NO_COMMITTED_OFFSET(false,
      "the partition has no committed offset and auto-offset-reset is none: seek first or reset the group's offsets"),
  OFFSET_METADATA_TOO_LARGE(false, "the commit's metadata string is too long: keep it to 4096 characters"),
  REQUEST_TIMED_OUT(true, "the request did not complete in time: retry, or raise the timeout"),
  BROKER_NOT_AVAILABLE(true, "the broker cannot serve requests right now (starting or stopping): retry shortly"),
  KAFKA_STORAGE_ERROR(true, "the broker could not read or write its log: check its disk and logs"),
  UNKNOWN_SERVER_ERROR(false, "an unexpected error on the broker: see the broker's log");

  private final boolean retriable;
  private final String advice;

  ErrorCode(boolean retriable, String advice) {
    this.retriable = retriable;
    this.advice = advice;
  }

  public boolean retriable() {
    return retriable;
  }

  /** What went wrong and what to do, in one sentence. */
  public String advice() {
    return advice;
  }
}
