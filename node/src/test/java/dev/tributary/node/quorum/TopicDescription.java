package dev.tributary.node.quorum;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code tributary topic describe NAME} prints, parsed:
 *
 * <pre>
 * Topic: &lt;name&gt;\tTopicId: &lt;id&gt;\tPartitions: &lt;n&gt;\tReplicationFactor: &lt;n&gt;\tConfigs: ...
 * \tPartition: 0\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0\tLogStartOffset: 0\tHighWatermark: 42
 * \tPartition: 1\tLeader: none\tReplicas: 2,0,1\tIsr: 2\tLogStartOffset: -\tHighWatermark: -\t(offline: ...)
 * </pre>
 */
public record TopicDescription(String topic, int partitionCount, int replicationFactor, Map<Integer, Partition> partitions,
    String text) {

  /**
   * One {@code Partition:} line.
   *
   * @param leader empty when {@code Leader: none} (offline)
   * @param logStartOffset -1 when not reported (offline)
   * @param highWatermark -1 when not reported (offline)
   */
  public record Partition(int partition, OptionalInt leader, List<Integer> replicas, List<Integer> isr,
      long logStartOffset, long highWatermark) {

    /** The in-sync replicas as a set, in id order. */
    public Set<Integer> isrSet() {
      return new TreeSet<>(isr);
    }
  }

  /** Parses the output; throws (with the text) when a required line or field is missing. */
  public static TopicDescription parse(String text) {
    String topic = null;
    int count = -1;
    int rf = -1;
    Map<Integer, Partition> partitions = new TreeMap<>();
    for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
      Map<String, String> fields = fields(line);
      if (fields.containsKey("Topic")) {
        topic = fields.get("Topic");
        count = Integer.parseInt(require(fields, "Partitions", text));
        rf = Integer.parseInt(require(fields, "ReplicationFactor", text));
      } else if (fields.containsKey("Partition")) {
        int p = Integer.parseInt(require(fields, "Partition", text));
        String leader = require(fields, "Leader", text);
        partitions.put(p, new Partition(p,
            leader.matches("\\d+") ? OptionalInt.of(Integer.parseInt(leader)) : OptionalInt.empty(),
            ids(require(fields, "Replicas", text)), ids(require(fields, "Isr", text)),
            offset(require(fields, "LogStartOffset", text)), offset(require(fields, "HighWatermark", text))));
      }
    }
    if (topic == null) {
      throw new AssertionError("no 'Topic:' line in topic describe's output:\n" + text);
    }
    return new TopicDescription(topic, count, rf, Map.copyOf(partitions), text);
  }

  /** Partition {@code p}'s line; fails (with the whole output) when there is none. */
  public Partition partition(int p) {
    Partition found = partitions.get(p);
    if (found == null) {
      throw new AssertionError("no 'Partition: " + p + "' line in:\n" + text);
    }
    return found;
  }

  private static List<Integer> ids(String list) {
    if (list.equals("-") || list.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
  }

  private static long offset(String value) {
    return value.equals("-") ? -1 : Long.parseLong(value);
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new HashMap<>();
    for (String part : line.split("\t")) {
      int colon = part.indexOf(':');
      if (colon > 0) {
        fields.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  private static String require(Map<String, String> fields, String key, String text) {
    String v = fields.get(key);
    if (v == null) {
      throw new AssertionError("no '" + key + ":' field in topic describe's output:\n" + text);
    }
    return v;
  }
}
