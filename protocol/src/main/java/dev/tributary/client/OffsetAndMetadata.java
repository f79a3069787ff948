package dev.tributary.client;

/**
 * A committed position: the offset of the next record to read, and a free-form string stored with
 * it (Kafka's {@code OffsetAndMetadata}; at most {@link #MAX_METADATA_CHARS} characters).
 */
public record OffsetAndMetadata(long offset, String metadata) {

  /** Kafka's {@code offset.metadata.max.bytes} default, counted in characters. */
  public static final int MAX_METADATA_CHARS = 4096;

  public OffsetAndMetadata {
    if (offset < 0) {
      throw new IllegalArgumentException("a committed offset must be >= 0, got " + offset);
    }
    metadata = metadata == null ? "" : metadata;
  }

  public OffsetAndMetadata(long offset) {
    this(offset, "");
  }
}
