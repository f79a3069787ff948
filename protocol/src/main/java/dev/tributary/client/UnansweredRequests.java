package dev.tributary.client;

import dev.tributary.protocol.message.DataPlaneMessage;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The produces and fetches a client sent and has no answer for yet, each with where it went, so
 * that fresh metadata can let go at once of those sent to a broker that no longer leads their
 * partition, or that is fenced. A broker killed without a word never answers, and Artery does not
 * say so (Kafka's client learns it from the closed connection); without this a request to it
 * waits out its whole timeout, where the caller could retry on the new leader as soon as the
 * cluster has elected one.
 *
 * <p>Thread-safe: requests are recorded by the callers' threads, answered by the reply actor or a
 * timer, and released by whichever thread installs metadata.
 */
final class UnansweredRequests {

  /**
   * A request sent and not answered yet: where it went, and how to answer it when let go.
   *
   * @param leader the leader's Pekko address by the metadata it was routed by, "" when that named none
   * @param broker the {@code host:port} of the broker it was sent to (the leader's, or a bootstrap broker's)
   * @param release the answer to give it, from why it was let go ("leadership of t-0 moved from …")
   */
  private record SentTo(String leader, String broker, String topic, int partition,
      Function<String, DataPlaneMessage> release) {}

  private final DataReplies replies;
  private final ConcurrentHashMap<Long, SentTo> byCorrelationId = new ConcurrentHashMap<>();

  /** @param replies where a released request's caller waits for its answer */
  UnansweredRequests(DataReplies replies) {
    this.replies = replies;
  }

  /**
   * Records request {@code correlationId}, routed by {@code routedBy} (null: none yet) to the
   * partition's leader, or to {@code bootstrapHostPort}'s broker when that named no leader. Call it
   * before sending, so an answer cannot come first.
   */
  void sent(long correlationId, MetadataResponse routedBy, String topic, int partition, String bootstrapHostPort,
      Function<String, DataPlaneMessage> release) {
    String leader = leaderAddress(routedBy, topic, partition);
    String broker = leader.isEmpty() ? bootstrapHostPort : hostPort(leader);
    byCorrelationId.put(correlationId, new SentTo(leader, broker, topic, partition, release));
  }

  /** Forgets a request: its answer (or its timeout) came. */
  void answered(long correlationId) {
    byCorrelationId.remove(correlationId);
  }

  /**
   * Lets go of every request sent to a broker that, by {@code now}, no longer leads its partition
   * or is one of {@code fenced} ({@code host:port}s): each is answered at once, as recorded.
   */
  void releaseDeposedOrFenced(MetadataResponse now, Set<String> fenced) {
    byCorrelationId.forEach((id, sent) -> {
      String leader = leaderAddress(now, sent.topic(), sent.partition());
      boolean moved = !sent.leader().isEmpty() && !leader.isEmpty() && !leader.equals(sent.leader());
      if ((moved || fenced.contains(sent.broker())) && byCorrelationId.remove(id, sent)) {
        String partition = sent.topic() + "-" + sent.partition();
        String why = moved
            ? "leadership of " + partition + " moved from " + sent.leader() + " to " + leader
            : "broker " + sent.broker() + ", which " + partition + " was sent to, is fenced";
        replies.answer(id, sent.release().apply(why));
      }
    });
  }

  /** The leader's address by {@code metadata}, "" when it names none. */
  static String leaderAddress(MetadataResponse metadata, String topic, int partition) {
    TopicMetadata t = metadata == null ? null : metadata.topics().get(topic);
    return t == null || partition < 0 || partition >= t.leaders().size() ? "" : t.leaders().get(partition);
  }

  /** The {@code host:port} of every broker {@code metadata} lists as fenced (its session expired: dead or cut off). */
  static Set<String> fencedAddresses(MetadataResponse metadata) {
    Set<String> fenced = new java.util.HashSet<>();
    if (metadata != null) {
      metadata.brokerInfo().stream().filter(b -> b.fenced()).forEach(b -> fenced.add(b.address()));
    }
    return fenced;
  }

  /** {@code host:port} of a broker's Pekko address ({@code pekko://tributary@host:port}), as its registration names it. */
  static String hostPort(String pekkoAddress) {
    int at = pekkoAddress.lastIndexOf('@');
    return at < 0 ? pekkoAddress : pekkoAddress.substring(at + 1);
  }
}
