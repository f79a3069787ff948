package dev.tributary.node.quorum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON lines {@code verifiable-producer} and {@code verifiable-consumer} print (Kafka's
 * VerifiableProducer / VerifiableConsumer events), parsed: every line must be a JSON object with
 * a {@code name}.
 */
public record VerifiableEvents(List<JsonNode> events) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A record acknowledged ({@code producer_send_success}) or read ({@code record_data}): where, and what. */
  public record Placed(int partition, long offset, String value) {}

  public static VerifiableEvents parse(List<String> lines) {
    List<JsonNode> events = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonNode e = JSON.readTree(line);
        if (e == null || !e.isObject() || !e.path("name").isTextual()) {
          throw new AssertionError("not an event (a JSON object with a name): " + line);
        }
        events.add(e);
      } catch (IOException e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    return new VerifiableEvents(List.copyOf(events));
  }

  public static VerifiableEvents parse(String out) {
    return parse(out.lines().toList());
  }

  /** Whether a stdout line is the event {@code name}, without parsing it (for counting as lines come). */
  public static boolean isEvent(String line, String name) {
    return line.contains("\"name\":\"" + name + "\"");
  }

  public List<JsonNode> named(String name) {
    return events.stream().filter(e -> e.get("name").asText().equals(name)).toList();
  }

  /** The {@code producer_send_success} events, in the order printed. */
  public List<Placed> acknowledged() {
    return placed("producer_send_success");
  }

  /** The {@code record_data} events (a consumer with {@code --verbose}), in the order printed. */
  public List<Placed> read() {
    return placed("record_data");
  }

  /** The values of the {@code producer_send_error} events. */
  public List<String> failedValues() {
    return named("producer_send_error").stream().map(e -> e.get("value").asText()).toList();
  }

  /** The one {@code tool_data} event; fails when there is not exactly one. */
  public JsonNode toolData() {
    List<JsonNode> t = named("tool_data");
    if (t.size() != 1) {
      throw new AssertionError(t.size() + " tool_data events; the last events: " + last(5));
    }
    return t.get(0);
  }

  /** The last {@code n} events, for failure messages. */
  public List<JsonNode> last(int n) {
    return events.subList(Math.max(0, events.size() - n), events.size());
  }

  private List<Placed> placed(String name) {
    return named(name).stream()
        .map(e -> new Placed(e.get("partition").asInt(), e.get("offset").asLong(), e.get("value").asText())).toList();
  }
}
