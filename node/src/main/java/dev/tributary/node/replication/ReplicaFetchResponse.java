package dev.tributary.node.replication;

import dev.tributary.protocol.ErrorCode;
import java.util.List;

/** The leader's answer to a {@link ReplicaFetch}: one {@link PartitionData} per partition asked for. */
public record ReplicaFetchResponse(long fetchId, List<PartitionData> partitions)
    implements ReplicaFetcher.Command {

  public ReplicaFetchResponse {
    partitions = List.copyOf(partitions);
  }

  /**
   * One partition's answer.
   *
   * @param records whole stored batches from the fetch offset, concatenated, with the leader's
   *     offsets and epochs; empty when there is nothing new or on an error
   * @param highWatermark the leader's high watermark, after counting this fetch
   * @param logEndOffset the leader's log end
   * @param diverged the follower's log diverged from the leader's; then ...
   * @param divergingEpoch ... the leader's largest epoch at or below the follower's last fetched
   *     epoch (-1 when the leader's log has none) ...
   * @param divergingEndOffset ... and where that epoch ends in the leader's log: the follower
   *     truncates there (or lower, where its own copy of that epoch ends) and fetches again
   */
  public record PartitionData(String topic, int partition, ErrorCode error, String message, long highWatermark,
      long logStartOffset, long logEndOffset, boolean diverged, int divergingEpoch, long divergingEndOffset,
      byte[] records) {

    public PartitionData {
      message = message == null ? "" : message;
      records = records == null ? new byte[0] : records;
    }

    public static PartitionData failed(ReplicaFetch.PartitionFetch fetch, ErrorCode error, String message) {
      return new PartitionData(fetch.topic(), fetch.partition(), error, message, -1, -1, -1, false, -1, -1, null);
    }
  }
}
