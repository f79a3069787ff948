package dev.tributary.node.partition;

import dev.tributary.node.replication.ReplicaFetch.PartitionFetch;
import dev.tributary.node.replication.ReplicaFetchResponse.PartitionData;
import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What this broker's replication tells a partition's replica here; local to the broker (the
 * fetches and answers inside are what crossed the network).
 */
public sealed interface ReplicaCommand extends PartitionEntity.Command, PartitionCommand,
    NoSerializationVerificationNeeded {

  /** Leader side: one partition of follower {@code replicaId}'s fetch; answered with its data. */
  record Read(int replicaId, PartitionFetch fetch, int maxBytes, ActorRef<PartitionData> replyTo)
      implements ReplicaCommand {
    @Override
    public String topic() {
      return fetch.topic();
    }

    @Override
    public int partition() {
      return fetch.partition();
    }
  }

  /**
   * Leader side: the broker's own reader of a partition it leads (a group coordinator loading its
   * partition of {@code __groups}) reads up to the log end, not the high watermark: a leader holds
   * every committed record, and what it holds beyond is what the partition commits next. Checked
   * for the fetch's leader epoch, never parked; answered as a fetch.
   */
  record ReadToLogEnd(dev.tributary.protocol.message.Fetch fetch) implements ReplicaCommand {
    @Override
    public String topic() {
      return fetch.topic();
    }

    @Override
    public int partition() {
      return fetch.partition();
    }
  }

  /**
   * Leader side: tell {@code replyTo} once the log ends past {@code fetchOffset}: at once if it
   * already does (a write stored since the follower's read), else at the next write stored (a
   * long-polling follower fetch waits for it). One watch per follower: a newer one replaces the older.
   *
   * @param maxBytes the most record bytes the fetch takes for this partition
   */
  record WatchAppends(String topic, int partition, int replicaId, long fetchOffset, int maxBytes,
      ActorRef<Appended> replyTo) implements ReplicaCommand {}

  /**
   * The answer to {@link WatchAppends}.
   *
   * @param data the partition's answer to the fetch, when the write that woke it starts at the
   *     fetch offset and fits the fetch (its batches, still in memory: no read); null when the
   *     fetch must read again
   */
  record Appended(String topic, int partition, PartitionData data) implements NoSerializationVerificationNeeded {

    static Appended readAgain(String topic, int partition) {
      return new Appended(topic, partition, null);
    }
  }

  /**
   * Follower side: what the leader answered for this partition, fetched from {@code fetchOffset}
   * in {@code leaderEpoch}, to store (or truncate by); the replica answers with where to fetch
   * next. An answer to a fetch from another position than the replica's now is not used.
   */
  record Apply(PartitionData data, int leaderEpoch, long fetchOffset, ActorRef<FetchPosition> replyTo)
      implements ReplicaCommand {
    @Override
    public String topic() {
      return data.topic();
    }

    @Override
    public int partition() {
      return data.partition();
    }
  }

  /**
   * Where the follower fetches next. {@code fetchOffset} is its log end; {@code lastFetchedEpoch}
   * the epoch of its last batch (-1 if none).
   */
  record FetchPosition(String topic, int partition, int leaderEpoch, long fetchOffset, int lastFetchedEpoch)
      implements NoSerializationVerificationNeeded {}
}
