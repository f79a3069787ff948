package dev.tributary.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tributary.client.Producer;
import dev.tributary.client.RecordMetadata;
import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.record.Header;
import dev.tributary.protocol.record.Record;
import dev.tributary.protocol.record.RecordBatch;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Records over HTTP: {@code POST /v1/topics/{name}/records} produces JSON records (UTF-8 strings,
 * or base64 with {@code "encoding": "base64"}); {@code GET /v1/topics/{name}/partitions/{p}/records}
 * browses a partition from an offset, for humans and scripts.
 */
final class RecordRoutes extends AllDirectives {

  /** Where a produced record went. */
  record Stored(int partition, long offset) {}

  /** A record as the browse route shows it. */
  record RecordView(long offset, long timestamp, String key, String value, Map<String, String> headers) {}

  private static final List<String> RECORD_FIELDS = List.of("key", "value", "headers", "partition", "encoding");
  private static final int FETCH_BYTES = 1024 * 1024;

  private final TributaryClient client;
  private final Responses responses;
  private final JsonBodies bodies;
  private final int maxRecordsLimit;
  private final TopicRoutes topics;
  private final Supplier<Producer> producer;

  RecordRoutes(TributaryClient client, Responses responses, JsonBodies bodies, int maxRecordsLimit,
      TopicRoutes topics, Supplier<Producer> producer) {
    this.client = client;
    this.responses = responses;
    this.bodies = bodies;
    this.maxRecordsLimit = maxRecordsLimit;
    this.topics = topics;
    this.producer = producer;
  }

  Route route() {
    return pathPrefix("topics", () -> pathPrefix(PathMatchers.segment(), name -> concat(
        path("records", () -> post(() -> bodies.json(body -> produce(name, body)))),
        path(PathMatchers.segment("partitions").slash(PathMatchers.integerSegment()).slash("records"), partition ->
            get(() -> parameterOptional("offset", offset -> parameterOptional("limit", limit ->
                parameterOptional("encoding", encoding -> browse(name, partition, offset, limit, encoding)))))))));
  }

  // ---------------------------------------------------------------- produce

  private Route produce(String topic, JsonNode body) {
    Optional<String> nameProblem = TopicNames.problem(topic);
    if (nameProblem.isPresent()) {
      return complete(responses.problem(400, "INVALID_TOPIC", "Bad request", nameProblem.get()));
    }
    if (!body.isArray() || body.isEmpty()) {
      throw new BadRequest("the body must be a non-empty JSON array of records "
          + "[{\"key\"?, \"value\", \"headers\"?, \"partition\"?, \"encoding\"?}]");
    }
    List<ParsedRecord> records = new ArrayList<>();
    for (int i = 0; i < body.size(); i++) {
      records.add(parse(body.get(i), i));
    }
    Producer p = producer.get();
    List<CompletableFuture<RecordMetadata>> sent = new ArrayList<>();
    for (ParsedRecord r : records) {
      sent.add(p.send(topic, r.partition(), r.key(), r.value(), r.headers(), System.currentTimeMillis())
          .toCompletableFuture());
    }
    p.flush();
    CompletionStage<HttpResponse> done = CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .thenApply(ok -> {
          List<Stored> stored = new ArrayList<>();
          sent.forEach(f -> stored.add(new Stored(f.join().partition(), f.join().offset())));
          return responses.json(200, Map.of("offsets", stored));
        })
        .exceptionally(error -> produceFailure(sent, error));
    return completeWithFuture(done);
  }

  /**
   * The problem for a produce of which a record failed (every record has its outcome by now): the
   * first failed record's error, which says whether it may or may not have been stored or was not
   * stored, with its index, and how many of the others were stored.
   */
  private HttpResponse produceFailure(List<CompletableFuture<RecordMetadata>> sent, Throwable error) {
    int failedAt = -1;
    int stored = 0;
    for (int i = 0; i < sent.size(); i++) {
      if (!sent.get(i).isCompletedExceptionally()) {
        stored++;
      } else if (failedAt < 0) {
        failedAt = i;
      }
    }
    Throwable cause = Failures.cause(error);
    if (!(cause instanceof TributaryException te) || failedAt < 0) {
      return topics.failure(error);
    }
    String message = te.getMessage().startsWith(te.code().name() + ": ")
        ? te.getMessage().substring(te.code().name().length() + 2) : te.getMessage();
    String detail = "record " + failedAt + ": " + message
        + (stored == 0 ? "" : " (" + stored + " other record(s) of this request were stored)");
    return responses.problem(ErrorMapping.status(te.code()), te.code().name(), ErrorMapping.title(te.code()), detail);
  }

  private record ParsedRecord(byte[] key, byte[] value, List<Header> headers, Integer partition) {}

  private static ParsedRecord parse(JsonNode node, int index) {
    String where = "record " + index + ": ";
    Map<String, JsonNode> fields;
    try {
      fields = JsonBodies.fields(node, RECORD_FIELDS);
    } catch (BadRequest e) {
      throw new BadRequest(where + e.getMessage());
    }
    boolean base64 = false;
    JsonNode encoding = fields.get("encoding");
    if (encoding != null && !encoding.isNull()) {
      if (!encoding.isTextual() || !List.of("utf-8", "base64").contains(encoding.textValue())) {
        throw new BadRequest(where + "encoding must be \"utf-8\" or \"base64\"");
      }
      base64 = encoding.textValue().equals("base64");
    }
    if (!fields.containsKey("value")) {
      throw new BadRequest(where + "the field 'value' is required (null for a record without a value)");
    }
    byte[] key = bytes(fields.get("key"), base64, where + "key");
    byte[] value = bytes(fields.get("value"), base64, where + "value");
    List<Header> headers = new ArrayList<>();
    JsonNode h = fields.get("headers");
    if (h != null && !h.isNull()) {
      if (!h.isObject()) {
        throw new BadRequest(where + "headers must be an object of \"name\": \"value\"");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        headers.add(new Header(e.getKey(), bytes(e.getValue(), base64, where + "header " + e.getKey())));
      }
    }
    Integer partition = null;
    try {
      partition = JsonBodies.optionalInt(fields, "partition").orElse(null);
    } catch (BadRequest e) {
      throw new BadRequest(where + e.getMessage());
    }
    return new ParsedRecord(key, value, headers, partition);
  }

  private static byte[] bytes(JsonNode v, boolean base64, String what) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequest(what + " must be a string (or null)");
    }
    if (!base64) {
      return v.textValue().getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(v.textValue());
    } catch (IllegalArgumentException e) {
      throw new BadRequest(what + " is not valid base64");
    }
  }

  // ---------------------------------------------------------------- browse

  private Route browse(String topic, int partition, Optional<String> offsetParam, Optional<String> limitParam,
      Optional<String> encodingParam) {
    Optional<String> nameProblem = TopicNames.problem(topic);
    if (nameProblem.isPresent()) {
      return complete(responses.problem(400, "INVALID_TOPIC", "Bad request", nameProblem.get()));
    }
    long offset = offsetParam.map(o -> parseLong(o, "offset", 0, Long.MAX_VALUE)).orElse(-1L);
    int limit = limitParam.map(l -> (int) parseLong(l, "limit", 1, maxRecordsLimit)).orElse(Math.min(100, maxRecordsLimit));
    String encoding = encodingParam.orElse("utf-8");
    if (!encoding.equals("utf-8") && !encoding.equals("base64")) {
      throw new BadRequest("encoding must be utf-8 or base64, got '" + encoding + "'");
    }
    boolean base64 = encoding.equals("base64");
    CompletionStage<Long> start = offset >= 0
        ? CompletableFuture.completedFuture(offset)
        : client.listOffsets(topic, partition, ListOffsets.EARLIEST).thenApply(r -> r.offset());
    return completeWithFuture(start.thenCompose(from -> read(topic, partition, from, limit, new ArrayList<>(), base64))
        .exceptionally(topics::failure));
  }

  private CompletionStage<HttpResponse> read(String topic, int partition, long from, int limit,
      List<RecordView> out, boolean base64) {
    return client.fetch(topic, partition, from, FETCH_BYTES, Duration.ZERO).thenCompose(response -> {
      if (response.error() != ErrorCode.NONE) {
        throw new TributaryException(response.error(), response.errorMessage());
      }
      long next = from;
      for (RecordBatch batch : response.batches()) {
        for (Record r : batch.records()) {
          if (r.offset() >= from && out.size() < limit) {
            out.add(view(r, base64));
            next = r.offset() + 1;
          }
        }
      }
      if (out.size() < limit && next < response.highWatermark() && next > from) {
        return read(topic, partition, next, limit, out, base64);
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("topic", topic);
      body.put("partition", partition);
      body.put("records", out);
      body.put("nextOffset", next);
      body.put("highWatermark", response.highWatermark());
      body.put("logStartOffset", response.logStartOffset());
      return CompletableFuture.completedFuture(responses.json(200, body));
    });
  }

  private static RecordView view(Record r, boolean base64) {
    Map<String, String> headers = new LinkedHashMap<>();
    r.headers().forEach(h -> headers.put(h.key(), text(h.value(), base64)));
    return new RecordView(r.offset(), r.timestamp(), text(r.key(), base64), text(r.value(), base64), headers);
  }

  private static String text(byte[] bytes, boolean base64) {
    if (bytes == null) {
      return null;
    }
    return base64 ? Base64.getEncoder().encodeToString(bytes) : new String(bytes, StandardCharsets.UTF_8);
  }

  private static long parseLong(String value, String name, long min, long max) {
    try {
      long v = Long.parseLong(value);
      if (v < min || v > max) {
        throw new BadRequest(name + " must be between " + min + " and " + max + ", got " + value);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new BadRequest(name + " must be a whole number, got '" + value + "'");
    }
  }
}
