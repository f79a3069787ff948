package dev.tributary.node.group;

import dev.tributary.protocol.TopicNames;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a member subscribes to: topic names and, optionally, a regular expression matched against
 * whole topic names (internal {@code __} topics never match), re-resolved against the topics that
 * exist on every heartbeat so topics created later join the subscription.
 *
 * @param pattern the compiled pattern, or null when the member only names its topics
 */
record Subscription(Set<String> topics, Pattern pattern) {

  static final Subscription NONE = new Subscription(Set.of(), null);

  Subscription {
    topics = Set.copyOf(topics);
  }

  /**
   * The subscription a heartbeat describes. Members send their pattern with every heartbeat, so
   * the previous subscription's compiled pattern is reused when the text is the same.
   *
   * @throws java.util.regex.PatternSyntaxException when the pattern is not a valid regex
   */
  static Subscription of(List<String> topics, String pattern, Subscription previous) {
    if (pattern == null || pattern.isEmpty()) {
      return new Subscription(Set.copyOf(topics), null);
    }
    Pattern compiled = previous != null && previous.pattern != null && previous.pattern.pattern().equals(pattern)
        ? previous.pattern : Pattern.compile(pattern);
    return new Subscription(Set.copyOf(topics), compiled);
  }

  /** The named topics plus every existing topic the pattern matches. */
  Set<String> resolve(Map<String, Integer> existing) {
    if (pattern == null) {
      return topics;
    }
    Set<String> all = new HashSet<>(topics);
    for (String topic : existing.keySet()) {
      if (!TopicNames.isInternal(topic) && pattern.matcher(topic).matches()) {
        all.add(topic);
      }
    }
    return Set.copyOf(all);
  }
}
