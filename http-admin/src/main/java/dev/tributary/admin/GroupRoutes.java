package dev.tributary.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.GroupRequest;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.PartitionRef;
import dev.tributary.protocol.message.TopicMetadata;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/groups}: list consumer groups, describe one with its lag, reset its offsets, delete it. */
final class GroupRoutes extends AllDirectives {

  /** A partition's committed offset (with the metadata string committed with it), log end and lag, and who owns it. */
  record PartitionLag(String topic, int partition, Long committedOffset, String metadata, long logEndOffset, long lag,
      String owner) {}

  private final TributaryClient client;
  private final Responses responses;
  private final JsonBodies bodies;
  private final TopicRoutes topics;

  GroupRoutes(TributaryClient client, Responses responses, JsonBodies bodies, TopicRoutes topics) {
    this.client = client;
    this.responses = responses;
    this.bodies = bodies;
    this.topics = topics;
  }

  Route route() {
    return pathPrefix("groups", () -> concat(
        pathEnd(() -> get(() -> completeWithFuture(client.listGroups()
            .thenApply(groups -> responses.json(200, Map.of("groups", groups)))
            .exceptionally(topics::failure)))),
        pathPrefix(PathMatchers.segment(), group -> concat(
            pathEnd(() -> concat(
                get(() -> completeWithFuture(describe(group))),
                delete(() -> completeWithFuture(delete(group))))),
            path("offsets", () -> post(() -> bodies.json(body -> completeWithFuture(reset(group, body)))))))));
  }

  private CompletionStage<GroupRequest.GroupDescription> description(String group) {
    return client.<GroupRequest.GroupDescription>group(r -> new GroupRequest.Describe(group, r)).thenApply(d -> {
      if (d.error() != ErrorCode.NONE) {
        throw new TributaryException(d.error(), d.errorMessage());
      }
      return d;
    });
  }

  private CompletionStage<HttpResponse> describe(String group) {
    return description(group).thenCompose(d -> {
      Map<PartitionRef, String> owners = new TreeMap<>();
      d.members().forEach(m -> m.assignment().forEach(p -> owners.put(p, m.memberId())));
      Map<PartitionRef, Long> committed = new TreeMap<>();
      Map<PartitionRef, String> metadata = new TreeMap<>();
      d.offsets().forEach(o -> {
        committed.put(o.partition(), o.offset());
        metadata.put(o.partition(), o.metadata());
      });
      owners.keySet().forEach(p -> committed.putIfAbsent(p, null));
      List<CompletableFuture<PartitionLag>> lags = new ArrayList<>();
      committed.forEach((p, offset) -> lags.add(client.listOffsets(p.topic(), p.partition(), ListOffsets.LATEST)
          .thenApply((ListOffsetsResponse end) -> new PartitionLag(p.topic(), p.partition(), offset, metadata.get(p), end.offset(),
              offset == null ? end.offset() : Math.max(0, end.offset() - offset), owners.get(p)))
          .toCompletableFuture()));
      return CompletableFuture.allOf(lags.toArray(CompletableFuture[]::new)).thenApply(done -> {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("groupId", d.groupId());
        body.put("state", d.state());
        body.put("generation", d.generation());
        body.put("assignor", d.assignor().isEmpty() ? null : d.assignor());
        body.put("members", d.members());
        body.put("partitions", lags.stream().map(CompletableFuture::join).toList());
        return responses.json(200, body);
      });
    }).exceptionally(topics::failure);
  }

  private CompletionStage<HttpResponse> reset(String group, JsonNode body) {
    Map<String, JsonNode> fields = JsonBodies.fields(body, List.of("topic", "toEarliest", "toLatest", "toOffset", "toDatetime"));
    String topic = JsonBodies.requiredString(fields, "topic");
    List<String> given = fields.keySet().stream()
        .filter(List.of("toEarliest", "toLatest", "toOffset", "toDatetime")::contains).toList();
    if (given.size() != 1) {
      throw new BadRequest("give exactly one of toEarliest: true, toLatest: true, toOffset: N, toDatetime: ISO-8601");
    }
    String how = given.get(0);
    Long timestamp = null;
    Long offset = null;
    if (how.equals("toDatetime")) {
      try {
        timestamp = Instant.parse(JsonBodies.requiredString(fields, how)).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new BadRequest("toDatetime must be ISO-8601 like 2026-11-26T12:00:00Z");
      }
    } else if (how.equals("toOffset")) {
      JsonNode v = fields.get(how);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new BadRequest("toOffset must be a whole number >= 0");
      }
      offset = v.longValue();
    } else if (!fields.get(how).isBoolean() || !fields.get(how).booleanValue()) {
      throw new BadRequest(how + " must be true");
    }
    Long ts = timestamp;
    Long to = offset;
    return client.metadata().thenCompose(m -> {
      TopicMetadata t = m.topics().get(topic);
      if (t == null) {
        throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + topic + "' does not exist");
      }
      List<CompletableFuture<GroupRequest.CommittedOffset>> targets = new ArrayList<>();
      for (int p = 0; p < t.partitions(); p++) {
        int partition = p;
        long lookup = how.equals("toEarliest") ? ListOffsets.EARLIEST
            : how.equals("toDatetime") ? ts : ListOffsets.LATEST;
        targets.add(client.listOffsets(topic, p, lookup).thenApply(r -> {
          long target = how.equals("toOffset") ? Math.max(r.logStartOffset(), Math.min(to, r.highWatermark()))
              : r.offset() >= 0 ? r.offset() : r.highWatermark();
          return new GroupRequest.CommittedOffset(new PartitionRef(topic, partition), target, "");
        }).toCompletableFuture());
      }
      return CompletableFuture.allOf(targets.toArray(CompletableFuture[]::new)).thenCompose(done -> {
        List<GroupRequest.CommittedOffset> offsets = targets.stream().map(CompletableFuture::join).toList();
        return client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.ResetOffsets(group, offsets, r));
      });
    }).thenApply(response -> {
      if (response.error() != ErrorCode.NONE) {
        throw new TributaryException(response.error(), response.errorMessage());
      }
      return responses.json(200, Map.of("offsets", response.offsets()));
    }).exceptionally(topics::failure);
  }

  private CompletionStage<HttpResponse> delete(String group) {
    return description(group)
        .thenCompose(d -> client.<GroupRequest.OffsetsResponse>group(r -> new GroupRequest.Delete(group, r)))
        .thenApply(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
          return responses.noContent();
        }).exceptionally(topics::failure);
  }
}
