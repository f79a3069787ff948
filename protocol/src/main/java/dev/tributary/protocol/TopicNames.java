package dev.tributary.protocol;

import java.util.Optional;
import java.util.regex.Pattern;

/** The rules for topic names, shared by every edge. */
public final class TopicNames {

  public static final int MAX_LENGTH = 249;
  private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  private TopicNames() {}

  /** Why {@code name} is not a valid topic name for users, or empty when it is. */
  public static Optional<String> problem(String name) {
    if (name == null || name.isEmpty()) {
      return Optional.of("the topic name is empty");
    }
    if (name.equals(".") || name.equals("..")) {
      return Optional.of("'" + name + "' is not a valid topic name");
    }
    if (name.length() > MAX_LENGTH) {
      return Optional.of("the topic name has " + name.length() + " characters; the limit is " + MAX_LENGTH);
    }
    if (!LEGAL.matcher(name).matches()) {
      return Optional.of("topic names use only the characters [a-zA-Z0-9._-]");
    }
    if (isInternal(name)) {
      return Optional.of("topic names starting with '__' are reserved for internal use");
    }
    return Optional.empty();
  }

  /** Whether a topic name is reserved for internal logs ({@code __...}): never a user's topic. */
  public static boolean isInternal(String name) {
    return name.startsWith("__");
  }

  /** The persistence id and entity id of a partition: {@code <topic>-<partition>}. */
  public static String partitionId(String topic, int partition) {
    return topic + "-" + partition;
  }

  /** The topic of a {@link #partitionId partition id} (topic names may contain '-' themselves). */
  public static String topicOf(String partitionId) {
    return partitionId.substring(0, lastDash(partitionId));
  }

  /** The partition number of a {@link #partitionId partition id}. */
  public static int partitionOf(String partitionId) {
    return Integer.parseInt(partitionId.substring(lastDash(partitionId) + 1));
  }

  private static int lastDash(String partitionId) {
    int dash = partitionId.lastIndexOf('-');
    if (dash <= 0 || dash == partitionId.length() - 1) {
      throw new IllegalArgumentException("'" + partitionId + "' is not a partition id (<topic>-<partition>)");
    }
    return dash;
  }
}
