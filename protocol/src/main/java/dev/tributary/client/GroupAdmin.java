package dev.tributary.client;

import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.GroupRequest.CommittedOffset;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Managing consumer groups from outside them: describe a group with its lag, and reset its
 * offsets. The CLI's {@code group} commands and the admin API's {@code /v1/groups} both use it.
 */
public final class GroupAdmin {

  /** Where {@link #resetOffsets} moves a group's offsets in each partition of a topic. */
  public sealed interface ResetTarget {
    /** The log start offset. */
    record Earliest() implements ResetTarget {}

    /** The log end offset. */
    record Latest() implements ResetTarget {}

    /** This offset, kept within the partition's bounds. */
    record ToOffset(long offset) implements ResetTarget {}

    /** The first record at or after this time (epoch ms); the log end if there is none. */
    record ToTimestamp(long epochMillis) implements ResetTarget {}
  }

  /**
   * A partition's committed offset (null: none) with its metadata string, log end, lag and the
   * member that owns it (null: none).
   */
  public record PartitionLag(String topic, int partition, Long committedOffset, String metadata, long logEndOffset,
      long lag, String owner) {}

  private final TributaryClient client;

  public GroupAdmin(TributaryClient client) {
    this.client = client;
  }

  /** The group's description; fails with the coordinator's error (GROUP_ID_NOT_FOUND, ...). */
  public CompletionStage<GroupRequest.GroupDescription> describe(String group) {
    return client.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(group, r)).thenApply(d -> {
      if (d.error() != ErrorCode.NONE) {
        throw new TributaryException(d.error(), d.errorMessage());
      }
      return d;
    });
  }

  /**
   * Lag per partition, for every partition the group has committed or a member owns, in topic and
   * partition order: log end offset minus committed offset (the whole log end when nothing is
   * committed).
   */
  public CompletionStage<List<PartitionLag>> lag(GroupRequest.GroupDescription d) {
    Map<TopicPartition, String> owners = new TreeMap<>();
    d.members().forEach(m -> m.assignment().forEach(p -> owners.put(p, m.memberId())));
    Map<TopicPartition, CommittedOffset> committed = new TreeMap<>();
    d.offsets().forEach(o -> committed.put(o.partition(), o));
    owners.keySet().forEach(p -> committed.putIfAbsent(p, null));
    List<CompletableFuture<PartitionLag>> lags = new ArrayList<>();
    committed.forEach((p, o) -> lags.add(client.listOffsets(p.topic(), p.partition(), ListOffsets.LATEST)
        .thenApply(end -> new PartitionLag(p.topic(), p.partition(), o == null ? null : o.offset(),
            o == null ? null : o.metadata(), end.offset(),
            o == null ? end.offset() : Math.max(0, end.offset() - o.offset()), owners.get(p)))
        .toCompletableFuture()));
    return CompletableFuture.allOf(lags.toArray(CompletableFuture[]::new))
        .thenApply(done -> lags.stream().map(CompletableFuture::join).toList());
  }

  /**
   * Moves the group's offsets for every partition of {@code topic} to {@code target}; refused with
   * GROUP_NOT_EMPTY while the group has live members. Completes with the offsets stored.
   */
  public CompletionStage<List<CommittedOffset>> resetOffsets(String group, String topic, ResetTarget target) {
    return client.metadata().thenCompose(m -> {
      TopicMetadata t = m.topics().get(topic);
      if (t == null) {
        throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist");
      }
      long lookup = target instanceof ResetTarget.Earliest ? ListOffsets.EARLIEST
          : target instanceof ResetTarget.ToTimestamp ts ? ts.epochMillis() : ListOffsets.LATEST;
      List<CompletableFuture<CommittedOffset>> targets = new ArrayList<>();
      for (int p = 0; p < t.partitions(); p++) {
        TopicPartition ref = new TopicPartition(topic, p);
        targets.add(client.listOffsets(topic, p, lookup).thenApply(r -> {
          long to = target instanceof ResetTarget.ToOffset o
              ? Math.max(r.logStartOffset(), Math.min(o.offset(), r.highWatermark()))
              : r.offset() >= 0 ? r.offset() : r.highWatermark();
          return new CommittedOffset(ref, to, "");
        }).toCompletableFuture());
      }
      return CompletableFuture.allOf(targets.toArray(CompletableFuture[]::new)).thenCompose(done -> {
        List<CommittedOffset> offsets = targets.stream().map(CompletableFuture::join).toList();
        return client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.ResetOffsets(group, offsets, r));
      });
    }).thenApply(response -> {
      if (response.error() != ErrorCode.NONE) {
        throw new TributaryException(response.error(), response.errorMessage());
      }
      return response.offsets();
    });
  }

  /**
   * Deletes the group's offsets; fails with GROUP_ID_NOT_FOUND for a group that does not exist and
   * GROUP_NOT_EMPTY while it has live members.
   */
  public CompletionStage<Void> delete(String group) {
    return describe(group)
        .thenCompose(d -> client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.Delete(group, r)))
        .thenAccept(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
        });
  }
}
