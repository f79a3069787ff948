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
public record TopicConfig(long retentionMs, long retentionBytes, long segmentBytes, int maxMessageBytes,
    int minInsyncReplicas, boolean uncleanLeaderElection) {

  public static final String RETENTION_MS = "retention.ms";
  public static final String RETENTION_BYTES = "retention.bytes";
  public static final String SEGMENT_BYTES = "segment.bytes";
  public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
  /** How many in-sync replicas an {@code acks=all} write needs. */
  public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
  /**
   * Whether a partition with no live in-sync replica may be led by an out-of-sync one, losing what
   * only the in-sync ones had. The controller decides elections, so only a topic's own setting
   * counts (every voter must decide alike): the default is false on every broker, as in Kafka.
   */
  public static final String UNCLEAN_LEADER_ELECTION = "unclean.leader.election.enable";
  public static final Set<String> KEYS = Set.of(RETENTION_MS, RETENTION_BYTES, SEGMENT_BYTES, MAX_MESSAGE_BYTES,
      MIN_INSYNC_REPLICAS, UNCLEAN_LEADER_ELECTION);

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
    return new TopicConfig(d.getLong(RETENTION_MS), d.getLong(RETENTION_BYTES), segmentBytes,
        d.getInt(MAX_MESSAGE_BYTES), d.getInt(MIN_INSYNC_REPLICAS), false);
  }

  /** What is wrong with these topic configs, or empty when every key is known and in range. */
  public static Optional<String> problem(Map<String, String> configs) {
    for (Map.Entry<String, String> e : configs.entrySet()) {
      String key = e.getKey();
      if (!KEYS.contains(key)) {
        return Optional.of("unknown config '" + key + "'; known keys: " + String.join(", ", KEYS.stream().sorted().toList()));
      }
      if (key.equals(UNCLEAN_LEADER_ELECTION)) {
        String v = e.getValue().trim();
        if (!v.equals("true") && !v.equals("false")) {
          return Optional.of(key + " must be true or false, got '" + e.getValue() + "'");
        }
        continue;
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
        case MIN_INSYNC_REPLICAS -> {
          if (value < 1 || value > Short.MAX_VALUE) {
            return Optional.of(key + " must be at least 1, got " + value);
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
        (int) parse(c, MAX_MESSAGE_BYTES, maxMessageBytes),
        (int) parse(c, MIN_INSYNC_REPLICAS, minInsyncReplicas),
        uncleanLeaderElection(c));
  }

  /** All keys with their effective values, for describe. */
  public Map<String, String> asMap() {
    return Map.of(
        RETENTION_MS, Long.toString(retentionMs),
        RETENTION_BYTES, Long.toString(retentionBytes),
        SEGMENT_BYTES, Long.toString(segmentBytes),
        MAX_MESSAGE_BYTES, Integer.toString(maxMessageBytes),
        MIN_INSYNC_REPLICAS, Integer.toString(minInsyncReplicas),
        UNCLEAN_LEADER_ELECTION, Boolean.toString(uncleanLeaderElection));
  }

  /** A topic's own (validated) unclean-election setting; false when it sets none. */
  public static boolean uncleanLeaderElection(Map<String, String> topicConfigs) {
    return "true".equals(topicConfigs.getOrDefault(UNCLEAN_LEADER_ELECTION, "false").trim());
  }

  private static long parse(Map<String, String> configs, String key, long fallback) {
    String v = configs.get(key);
    return v == null ? fallback : Long.parseLong(v.trim());
  }
}
