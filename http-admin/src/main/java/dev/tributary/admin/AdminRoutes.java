package dev.tributary.admin;

import dev.tributary.client.TributaryClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.MethodRejection;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;

/**
 * Every route of the admin API, with its guards: bearer-token auth (all but {@code /health/*}),
 * readiness (503 while the node is not ready), and errors as {@code application/problem+json},
 * never a stack trace or an HTML page.
 */
public final class AdminRoutes extends AllDirectives {

  private final AdminSettings settings;
  private final NodeStatus node;
  private final Responses responses;
  private final TopicRoutes topics;
  private final RecordRoutes records;
  private final GroupRoutes groups;

  private final MetricsRoute metrics;

  public AdminRoutes(AdminSettings settings, TributaryClient client, NodeStatus node,
      com.fasterxml.jackson.databind.ObjectMapper mapper, io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
    this.metrics = new MetricsRoute(registry);
    this.settings = settings;
    this.node = node;
    this.responses = new Responses(mapper);
    JsonBodies bodies = new JsonBodies(responses, settings.maxBodyBytes());
    this.topics = new TopicRoutes(client, responses, bodies);
    this.records = new RecordRoutes(client, responses, bodies, settings.maxRecordsLimit(), topics,
        new LazyProducer(client));
    this.groups = new GroupRoutes(client, responses, bodies, topics);
  }

  public Route route() {
    return withRequestTimeout(settings.routeTimeout(), this::timedOut,
        () -> handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> concat(
        pathPrefix("health", () -> concat(
            path("alive", () -> get(() -> complete(responses.json(200, Map.of("status", "alive"))))),
            path("ready", () -> get(this::ready)))),
        authenticated(() -> concat(
            metrics.route(),
            pathPrefix("v1", () -> concat(
                path("cluster", () -> get(() -> complete(responses.json(200, node.cluster())))),
                path("openapi.json", () -> get(() -> complete(openApi()))),
                whenReady(() -> concat(topics.route(), records.route(), groups.route()))))))))));
  }

  /** pekko-http's answer when a route ran out of time: a problem that does not claim nothing happened. */
  private org.apache.pekko.http.javadsl.model.HttpResponse timedOut(
      org.apache.pekko.http.javadsl.model.HttpRequest request) {
    return responses.problem(503, "REQUEST_TIMED_OUT", "Service unavailable",
        "no answer within " + settings.routeTimeout().toSeconds() + " s: if the request asked for a change (records,"
            + " a topic, offsets) it may or may not have been made; look before trying again");
  }

  /** The OpenAPI document, kept true by a test that calls every route in it. */
  private org.apache.pekko.http.javadsl.model.HttpResponse openApi() {
    try (var in = AdminRoutes.class.getResourceAsStream("/openapi.json")) {
      return org.apache.pekko.http.javadsl.model.HttpResponse.create().withEntity(
          org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, in.readAllBytes());
    } catch (java.io.IOException | NullPointerException e) {
      return responses.problem(500, "UNKNOWN_SERVER_ERROR", "Internal error", "openapi.json is missing from the build");
    }
  }

  /** The same answer as Pekko Management's /ready on the management port. */
  private Route ready() {
    List<String> reasons = node.readinessReasons();
    if (reasons.isEmpty()) {
      return complete(responses.json(200, Map.of("status", "ready")));
    }
    return complete(responses.problem(503, "NOT_READY", "Not ready", String.join("; ", reasons)));
  }

  private Route whenReady(java.util.function.Supplier<Route> inner) {
    List<String> reasons = node.notReadyReasons();
    if (!reasons.isEmpty()) {
      return complete(responses.problem(503, "NOT_READY", "Service unavailable",
          "the node is not ready: " + String.join("; ", reasons) + "; retry shortly"));
    }
    return inner.get();
  }

  /** 401 without a bearer token, 403 with a wrong one (compared in constant time). */
  private Route authenticated(java.util.function.Supplier<Route> inner) {
    Optional<String> expected = settings.token();
    if (expected.isEmpty()) {
      return inner.get();
    }
    byte[] expectedBytes = expected.get().getBytes(StandardCharsets.UTF_8);
    return optionalHeaderValueByName("Authorization", header -> {
      if (header.isEmpty() || !header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
        return complete(responses.problem(401, "UNAUTHORIZED", "Unauthorized",
                "send Authorization: Bearer <token> (the broker's tributary.admin.token)")
            .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "tributary"))));
      }
      byte[] given = header.get().substring(7).trim().getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, expectedBytes)) {
        return complete(responses.problem(403, "FORBIDDEN", "Forbidden", "the bearer token is not valid"));
      }
      return inner.get();
    });
  }

  private RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(MethodRejection.class, rejected -> complete(responses.problem(405, "METHOD_NOT_ALLOWED",
            "Method not allowed", "allowed here: " + String.join(", ",
                rejected.stream().map(r -> r.supported().name()).distinct().sorted().toList()))))
        .handleNotFound(extractUnmatchedPath(path -> complete(responses.problem(404, "NOT_FOUND", "Not found",
            "no route " + path + "; see GET /v1/openapi.json"))))
        .build()
        .seal()
        .mapRejectionResponse(response -> response.entity().getContentType().equals(Responses.PROBLEM_JSON)
            ? response
            : rejectionProblem(response.status().intValue(), response.status().reason()));
  }

  /** Pekko's own rejections, as problems with a code per status. */
  private org.apache.pekko.http.javadsl.model.HttpResponse rejectionProblem(int status, String reason) {
    return switch (status) {
      case 413 -> responses.problem(413, "PAYLOAD_TOO_LARGE", "Payload too large",
          "the body is over the " + settings.maxBodyBytes() + "-byte limit (tributary.admin.max-body-bytes)");
      case 415 -> responses.problem(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type",
          "send the body as application/json");
      case 405 -> responses.problem(405, "METHOD_NOT_ALLOWED", "Method not allowed", reason);
      case 404 -> responses.problem(404, "NOT_FOUND", "Not found", "no such route; see GET /v1/openapi.json");
      default -> responses.problem(status, "INVALID_REQUEST", reason, "the request was refused: " + reason);
    };
  }

  private ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, e -> complete(responses.problem(413, "PAYLOAD_TOO_LARGE",
            "Payload too large", "the body is over the " + settings.maxBodyBytes() + "-byte limit")))
        .match(BadRequest.class, e -> complete(responses.problem(400, "INVALID_REQUEST", "Bad request", e.getMessage())))
        .matchAny(e -> complete(responses.problem(500, "UNKNOWN_SERVER_ERROR", "Internal error",
            "an unexpected error; see the broker's log")))
        .build();
  }
}
