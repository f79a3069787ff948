package dev.tributary.node;

import com.typesafe.config.Config;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A topic's effective configuration: its own settings over the broker defaults
 * ({@code tributary.broker.topic-defaults}). Keys and meanings as in Kafka.
 */
public record TopicConfig(long retentionMs, long retentionBytes, long segmentBytes, int maxMessageBytes) {

  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  public static final Set<String> KEYS = Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES, MAX_MESSAGE_BYTES);

  /** Largest batch any topic may allow (and largest fetch): the protocol's single limit. */
  public static final int MAX_MESSAGE_BYTES_LIMIT = dev.tributary.protocol.Tributary.MAX_BATCH_BYTES;

  /**
   * The broker's defaults for topics that set none; a {@code segment.bytes} of -1 there means the
   * journal's {@code segment-bytes} ({@code journalSegmentBytes}), as Kafka's topic default is the
   * broker's {@code log.segment.bytes}.
   */
  public static TopicConfig defaults(Config brokerConfig, long journalSegmentBytes) {
    Config d = brokerConfig.getConfig("tributary.broker.topic-defaults");
    long segmentBytes = d.getLong(SEGMENT_BYTES) == -1 ? journalSegmentBytes : d.getLong(SEGMENT_BYTES);
    return new TopicConfig(
        d.getLong(RETENTION_MS), d.getLong(RETENTION_BYTES), segmentBytes, d.getInt(MAX_MESSAGE_BYTES));
  }

  /** What is wrong with these topic configs, or empty when every key is known and in range. */
  public static Optional<String> problem(Map<String, String> configs) {
    for (Map.Entry<String, String> e : configs.entrySet()) {
      String key = e.getKey();
      if (!KEYS.contains(key)) {
        return Optional.of("unknown config '" + key + "'; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
      }
      long value;
      try {
        value = Long.parseLong(e.getValue().trim());
      } catch (NumberFormatException ex) {
        return Optional.of(key + " must be a whole number, got '" + e.getValue() + "'");
      }
      switch (key) {
        case RETENTION_MS, RETENTION_BYTES -> {
          if (value < -1) {
            return Optional.of(key + " must be -1 (unlimited) or >= 0, got " + value);
          }
        }
        case SEGMENT_BYTES -> {
          if (value < 14 || value > Integer.MAX_VALUE) {
            return Optional.of(key + " must be between 14 and " + Integer.MAX_VALUE + ", got " + value);
          }
        }
        case MAX_MESSAGE_BYTES -> {
          if (value < 0 || value > MAX_MESSAGE_BYTES_LIMIT) {
            return Optional.of(key + " must be between 0 and " + MAX_MESSAGE_BYTES_LIMIT
                + " (Artery's large frame less headroom), got " + value);
          }
        }
        default -> { }
      }
    }
    return Optional.empty();
  }

  /** These defaults overridden by a topic's (validated) configs. */
  public TopicConfig with(Map<String, String> configs) {
    Map<String, String> c = new HashMap<>(configs);
    return new TopicConfig(
        parse(c, RETENTION_MS, retentionMs),
        parse(c, RETENTION_BYTES, retentionBytes),
        parse(c, SEGMENT_BYTES, segmentBytes),
        (int) parse(c, MAX_MESSAGE_BYTES, maxMessageBytes));
  }

  /** All keys with their effective values, for describe. */
  public Map<String, String> asMap() {
    return Map.of(
        RETENTION_MS, Long.toString(retentionMs),
        RETENTION_BYTES, Long.toString(retentionBytes),
        SEGMENT_BYTES, Long.toString(segmentBytes),
        MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytes));
  }

  private static long parse(Map<String, String> configs, String key, long fallback) {
    String v = configs.get(key);
    return v == null ? fallback : Long.parseLong(v.trim());
  }
}
