package dev.tributary.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * Reading JSON request bodies strictly: content type {@code application/json} (else 415), at
 * most {@code max-body-bytes} (else 413), well-formed (else 400), known fields of the right types
 * (else 400 saying which).
 */
final class JsonBodies extends AllDirectives {

  private final Responses responses;
  private final long maxBodyBytes;

  JsonBodies(Responses responses, long maxBodyBytes) {
    this.responses = responses;
    this.maxBodyBytes = maxBodyBytes;
  }

  Route json(Function<JsonNode, Route> inner) {
    return extractRequest(request -> {
      if (!request.entity().getContentType().equals(ContentTypes.APPLICATION_JSON)) {
        return complete(responses.problem(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type",
            "send the body as application/json (got " + request.entity().getContentType() + ")"));
      }
      return withSizeLimit(maxBodyBytes, () -> entity(Unmarshaller.entityToString(), body -> {
        JsonNode node;
        try {
          node = responses.mapper().readTree(body);
        } catch (JsonProcessingException e) {
          return complete(responses.problem(400, "INVALID_REQUEST", "Malformed JSON",
              "the body is not valid JSON: " + e.getOriginalMessage()));
        }
        if (node == null || node.isMissingNode()) {
          return complete(responses.problem(400, "INVALID_REQUEST", "Malformed JSON", "the body is empty"));
        }
        return inner.apply(node);
      }));
    });
  }

  /** The fields of a JSON object, refusing any not in {@code allowed}. */
  static Map<String, JsonNode> fields(JsonNode body, List<String> allowed) {
    if (!body.isObject()) {
      throw new BadRequest("the body must be a JSON object with the fields " + allowed);
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!allowed.contains(e.getKey())) {
        throw new BadRequest("unknown field '" + e.getKey() + "'; allowed fields: " + allowed);
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  static String requiredString(Map<String, JsonNode> fields, String name) {
    JsonNode v = fields.get(name);
    if (v == null || v.isNull()) {
      throw new BadRequest("the field '" + name + "' is required");
    }
    if (!v.isTextual()) {
      throw new BadRequest("the field '" + name + "' must be a string");
    }
    return v.textValue();
  }

  static int requiredInt(Map<String, JsonNode> fields, String name) {
    return optionalInt(fields, name).orElseThrow(() -> new BadRequest("the field '" + name + "' is required"));
  }

  static Optional<Integer> optionalInt(Map<String, JsonNode> fields, String name) {
    JsonNode v = fields.get(name);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber()) {
      throw new BadRequest("the field '" + name + "' must be a whole number");
    }
    if (!v.canConvertToInt()) {
      throw new BadRequest("the field '" + name + "' is out of range: " + v.asText());
    }
    return Optional.of(v.intValue());
  }

  /** An object of string or number values, as strings; absent means empty. */
  static Map<String, String> stringMap(Map<String, JsonNode> fields, String name) {
    JsonNode v = fields.get(name);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new BadRequest("the field '" + name + "' must be an object of \"key\": value");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode value = e.getValue();
      if (!value.isTextual() && !value.isNumber()) {
        throw new BadRequest("the value of " + name + "." + e.getKey() + " must be a string or a number");
      }
      out.put(e.getKey(), value.asText());
    }
    return out;
  }
}
