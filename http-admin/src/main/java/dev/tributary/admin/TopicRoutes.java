package dev.tributary.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.PartitionInfo;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /v1/topics}: list, create, describe, change and delete topics. The routes hold no
 * actors: the {@link TributaryClient} is the facade that asks the cluster, with its timeout.
 */
final class TopicRoutes extends AllDirectives {

  /** A topic in the list. */
  record TopicSummary(String name, String topicId, int partitions) {}

  /** One partition of a described topic. */
  record PartitionDetail(int partition, Integer leader, String leaderAddress, Integer leaderEpoch,
      List<Integer> replicas, List<Integer> isr, long logStartOffset, long logEndOffset, long highWatermark,
      long sizeBytes) {}

  /** A described topic: its configs as set and, per partition, where it lives and its offsets. */
  record TopicDetail(String name, String topicId, int partitions, int replicationFactor, Map<String, String> configs,
      List<PartitionDetail> partitionDetails) {}

  private final TributaryClient client;
  private final Responses responses;
  private final JsonBodies bodies;

  TopicRoutes(TributaryClient client, Responses responses, JsonBodies bodies) {
    this.client = client;
    this.responses = responses;
    this.bodies = bodies;
  }

  Route route() {
    Route collection = pathEnd(() -> concat(
        get(() -> completeWithFuture(list())),
        post(() -> bodies.json(this::create))));
    Route single = pathPrefix(PathMatchers.segment(), name -> pathEnd(() -> concat(
        get(() -> completeWithFuture(guardName(name, () -> describe(name)))),
        patch(() -> bodies.json(body -> completeWithFuture(guardName(name, () -> change(name, body))))),
        delete(() -> completeWithFuture(guardName(name, () -> delete(name)))))));
    return pathPrefix("topics", () -> concat(collection, single));
  }

  private CompletionStage<HttpResponse> list() {
    return client.metadata().thenApply(m -> {
      List<TopicSummary> topics = new ArrayList<>();
      // Internal topics (the group log) are Tributary's own, not the user's: left out, as rpk does.
      new TreeMap<>(m.topics()).values().stream().filter(t -> !TopicNames.isInternal(t.name()))
          .forEach(t -> topics.add(new TopicSummary(t.name(), t.topicId(), t.partitions())));
      return responses.json(200, Map.of("topics", topics));
    }).exceptionally(this::failure);
  }

  private Route create(JsonNode body) {
    Map<String, JsonNode> fields;
    try {
      fields = JsonBodies.fields(body, List.of("name", "partitions", "replicationFactor", "configs"));
      String name = JsonBodies.requiredString(fields, "name");
      int partitions = JsonBodies.requiredInt(fields, "partitions");
      Optional<Integer> replicationFactor = JsonBodies.optionalInt(fields, "replicationFactor");
      Map<String, String> configs = JsonBodies.stringMap(fields, "configs");
      Optional<String> nameProblem = TopicNames.problem(name);
      if (nameProblem.isPresent()) {
        return complete(problemFor(ErrorCode.INVALID_TOPIC, nameProblem.get()));
      }
      return completeWithFuture((replicationFactor.isPresent()
          ? client.createTopic(name, partitions, replicationFactor.get(), configs)
          : client.createTopic(name, partitions, configs)).thenCompose(created -> {
        TopicMetadata t = created.topic().orElseThrow();
        return describe(t.name()).thenApply(described -> described.withStatus(StatusCodes.CREATED)
            .addHeader(Location.create("/v1/topics/" + t.name())));
      }).exceptionally(this::failure));
    } catch (BadRequest e) {
      return complete(responses.problem(400, "INVALID_REQUEST", "Bad request", e.getMessage()));
    }
  }

  private static boolean offline(TopicMetadata t, int partition) {
    return partition < t.leaders().size() && t.leaders().get(partition).isEmpty();
  }

  private CompletionStage<HttpResponse> describe(String name) {
    return client.metadata().thenCompose(m -> {
      TopicMetadata t = m.topics().get(name);
      if (t == null) {
        return CompletableFuture.completedFuture(unknownTopic(name));
      }
      List<CompletableFuture<ListOffsetsResponse>> offsets = new ArrayList<>();
      for (int p = 0; p < t.partitions(); p++) {
        // An offline partition (its broker is fenced) has no one to ask: its offsets are unknown (-1).
        offsets.add(offline(t, p) ? CompletableFuture.completedFuture(null)
            : client.listOffsets(name, p, ListOffsets.EARLIEST).toCompletableFuture());
      }
      return CompletableFuture.allOf(offsets.toArray(CompletableFuture[]::new)).thenApply(done -> {
        List<PartitionDetail> details = new ArrayList<>();
        for (int p = 0; p < t.partitions(); p++) {
          ListOffsetsResponse o = offsets.get(p).join();
          String address = p < t.leaders().size() && !t.leaders().get(p).isEmpty() ? t.leaders().get(p) : null;
          Optional<PartitionInfo> info = t.partition(p);
          Integer leader = info.filter(i -> !i.offline()).map(PartitionInfo::leader).orElse(null);
          Integer epoch = info.map(PartitionInfo::leaderEpoch).orElse(null);
          List<Integer> replicas = info.map(PartitionInfo::replicas).orElse(List.of());
          List<Integer> isr = info.map(PartitionInfo::isr).orElse(List.of());
          details.add(o == null
              ? new PartitionDetail(p, null, null, epoch, replicas, isr, -1, -1, -1, -1)
              : new PartitionDetail(p, leader, address, epoch, replicas, isr,
                  o.logStartOffset(), o.highWatermark(), o.highWatermark(), o.sizeBytes()));
        }
        return responses.json(200, new TopicDetail(t.name(), t.topicId(), t.partitions(), t.replicationFactor(),
            new TreeMap<>(t.configs()), details));
      });
    }).exceptionally(this::failure);
  }

  private CompletionStage<HttpResponse> change(String name, JsonNode body) {
    try {
      Map<String, JsonNode> fields = JsonBodies.fields(body, List.of("partitions", "configs"));
      if (fields.isEmpty()) {
        throw new BadRequest("nothing to change: give \"partitions\" (a higher count) and/or \"configs\" "
            + "(an empty value resets a key to the default)");
      }
      Optional<Integer> partitions = JsonBodies.optionalInt(fields, "partitions");
      Map<String, String> configs = JsonBodies.stringMap(fields, "configs");
      // Check the partition count before changing anything, so a bad PATCH changes nothing.
      CompletionStage<?> step = client.metadata().thenAccept(m -> {
        TopicMetadata t = m.topics().get(name);
        if (t == null) {
          throw new TributaryException(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
        }
        if (partitions.isPresent() && (partitions.get() <= t.partitions() || partitions.get() > 10_000)) {
          throw new TributaryException(ErrorCode.INVALID_PARTITIONS, "topic '" + name + "' has " + t.partitions()
              + " partitions; the new count must be above that and at most 10000, got " + partitions.get());
        }
      });
      if (!configs.isEmpty()) {
        step = step.thenCompose(ignored -> client.alterConfigs(name, configs));
      }
      if (partitions.isPresent()) {
        step = step.thenCompose(ignored -> client.addPartitions(name, partitions.get()));
      }
      return step.thenCompose(changed -> describe(name)).exceptionally(this::failure);
    } catch (BadRequest e) {
      return CompletableFuture.completedFuture(responses.problem(400, "INVALID_REQUEST", "Bad request", e.getMessage()));
    }
  }

  private CompletionStage<HttpResponse> delete(String name) {
    return client.deleteTopic(name).thenApply(deleted -> responses.noContent()).exceptionally(this::failure);
  }

  private CompletionStage<HttpResponse> guardName(
      String name, java.util.function.Supplier<CompletionStage<HttpResponse>> route) {
    Optional<String> problem = TopicNames.problem(name);
    if (problem.isPresent()) {
      return CompletableFuture.completedFuture(problemFor(ErrorCode.INVALID_TOPIC, problem.get()));
    }
    return route.get();
  }

  private HttpResponse unknownTopic(String name) {
    return problemFor(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic '" + name + "' does not exist");
  }

  private HttpResponse problemFor(ErrorCode code, String detail) {
    return responses.problem(ErrorMapping.status(code), code.name(), ErrorMapping.title(code), detail);
  }

  /** Turns a failed cluster call into its problem response. */
  HttpResponse failure(Throwable error) {
    Throwable t = Failures.cause(error);
    if (t instanceof TributaryException te) {
      String detail = te.getMessage().startsWith(te.code().name() + ": ")
          ? te.getMessage().substring(te.code().name().length() + 2) : te.getMessage();
      return problemFor(te.code(), detail);
    }
    return responses.problem(503, "BROKER_NOT_AVAILABLE", "Service unavailable",
        "the cluster did not answer: " + t.getMessage());
  }
}
