package dev.tributary.node.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tributary.client.TopicPartition;
import java.io.PrintWriter;
import java.util.Collection;

/**
 * The verifiable tools' output, as Kafka's: one JSON object per line, each starting with {@code
 * timestamp} (ms, when the event happened) and {@code name}. Lines are written whole and flushed
 * at once, from any thread, so a reader piping the output sees every event as it happens and
 * never half of one.
 */
final class JsonEvents {

  private final ObjectMapper mapper = new ObjectMapper();
  private final PrintWriter out;

  JsonEvents(PrintWriter out) {
    this.out = out;
  }

  /** A new event, timestamped now; add its fields in the order they should print. */
  ObjectNode event(String name) {
    ObjectNode e = mapper.createObjectNode();
    e.put("timestamp", System.currentTimeMillis());
    e.put("name", name);
    return e;
  }

  /** {@code [{topic, partition}, ...]}, as Kafka's tools print a collection of partitions. */
  ArrayNode partitions(Collection<TopicPartition> partitions) {
    ArrayNode a = mapper.createArrayNode();
    for (TopicPartition tp : partitions) {
      a.addObject().put("topic", tp.topic()).put("partition", tp.partition());
    }
    return a;
  }

  ArrayNode array() {
    return mapper.createArrayNode();
  }

  void print(ObjectNode event) {
    String line;
    try {
      line = mapper.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      line = "Bad data can't be written as json: " + e.getMessage(); // a reader skips lines that are not JSON
    }
    synchronized (out) {
      out.println(line);
      out.flush();
    }
  }
}
