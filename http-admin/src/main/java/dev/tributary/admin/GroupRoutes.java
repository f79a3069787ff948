package dev.tributary.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.GroupAdmin;
import dev.tributary.client.TributaryClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code /v1/groups}: list consumer groups, describe one with its lag, reset its offsets, delete it. */
final class GroupRoutes extends AllDirectives {

  private final TributaryClient client;
  private final GroupAdmin groups;
  private final Responses responses;
  private final JsonBodies bodies;
  private final TopicRoutes topics;

  GroupRoutes(TributaryClient client, Responses responses, JsonBodies bodies, TopicRoutes topics) {
    this.client = client;
    this.groups = new GroupAdmin(client);
    this.responses = responses;
    this.bodies = bodies;
    this.topics = topics;
  }

  Route route() {
    return pathPrefix("groups", () -> concat(
        pathEnd(() -> get(() -> completeWithFuture(client.listGroups()
            .thenApply(names -> responses.json(200, Map.of("groups", names)))
            .exceptionally(topics::failure)))),
        pathPrefix(PathMatchers.segment(), group -> concat(
            pathEnd(() -> concat(
                get(() -> completeWithFuture(describe(group))),
                delete(() -> completeWithFuture(delete(group))))),
            path("offsets", () -> post(() -> bodies.json(body -> completeWithFuture(reset(group, body)))))))));
  }

  private CompletionStage<HttpResponse> describe(String group) {
    return groups.describe(group).thenCompose(d -> groups.lag(d).thenApply(lags -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("groupId", d.groupId());
      body.put("coordinator", d.coordinator());
      body.put("state", d.state());
      body.put("generation", d.generation());
      body.put("assignor", d.assignor().isEmpty() ? null : d.assignor());
      body.put("members", d.members());
      body.put("partitions", lags);
      return responses.json(200, body);
    })).exceptionally(topics::failure);
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
    GroupAdmin.ResetTarget target;
    if (how.equals("toDatetime")) {
      try {
        target = new GroupAdmin.ResetTarget.ToTimestamp(
            Instant.parse(JsonBodies.requiredString(fields, how)).toEpochMilli());
      } catch (DateTimeParseException e) {
        throw new BadRequest("toDatetime must be ISO-8601 like 2026-11-26T12:00:00Z");
      }
    } else if (how.equals("toOffset")) {
      JsonNode v = fields.get(how);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new BadRequest("toOffset must be a whole number >= 0");
      }
      target = new GroupAdmin.ResetTarget.ToOffset(v.longValue());
    } else if (!fields.get(how).isBoolean() || !fields.get(how).booleanValue()) {
      throw new BadRequest(how + " must be true");
    } else {
      target = how.equals("toEarliest") ? new GroupAdmin.ResetTarget.Earliest() : new GroupAdmin.ResetTarget.Latest();
    }
    return groups.resetOffsets(group, topic, target)
        .thenApply(stored -> responses.json(200, Map.of("offsets", stored)))
        .exceptionally(topics::failure);
  }

  private CompletionStage<HttpResponse> delete(String group) {
    return groups.delete(group).thenApply(done -> responses.noContent()).exceptionally(topics::failure);
  }
}
