package dev.tributary.node.quorum;

import dev.tributary.protocol.message.BrokerInfo;
import dev.tributary.protocol.message.MetadataResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * What {@code tributary cluster describe} prints, parsed:
 *
 * <pre>
 * ClusterId: &lt;id&gt;\tController: &lt;broker id&gt;\tControllerEpoch: &lt;n&gt;
 * Broker: &lt;id&gt;\tAddress: host:port\tStatus: Registered|Fenced\tEpoch: &lt;n&gt;\tDirectory: &lt;uuid&gt;[\tKafka: host:port]
 * </pre>
 *
 * @param controller empty when the {@code Controller:} field is not a broker id (none elected)
 */
public record ClusterDescription(String clusterId, OptionalInt controller, long controllerEpoch,
    Map<Integer, Broker> brokers, String text) {

  public static final String REGISTERED = "Registered";
  public static final String FENCED = "Fenced";

  /**
   * One {@code Broker:} line.
   *
   * @param kafkaAddress its Kafka listener's {@code host:port}, "" when the line has no {@code Kafka:} field
   */
  public record Broker(int id, String address, String status, long epoch, String directory, String kafkaAddress) {
    public boolean registered() {
      return REGISTERED.equals(status);
    }

    public boolean fenced() {
      return FENCED.equals(status);
    }
  }

  /** Parses the output; throws (with the text) when a required line or field is missing. */
  public static ClusterDescription parse(String text) {
    String clusterId = null;
    OptionalInt controller = OptionalInt.empty();
    long controllerEpoch = -1;
    Map<Integer, Broker> brokers = new TreeMap<>();
    for (String line : text.lines().filter(l -> !l.isBlank()).toList()) {
      Map<String, String> fields = fields(line);
      if (fields.containsKey("ClusterId")) {
        clusterId = fields.get("ClusterId");
        String c = require(fields, "Controller", text);
        controller = c.matches("-?\\d+") && Integer.parseInt(c) >= 0 ? OptionalInt.of(Integer.parseInt(c)) : OptionalInt.empty();
        controllerEpoch = Long.parseLong(require(fields, "ControllerEpoch", text));
      } else if (fields.containsKey("Broker")) {
        int id = Integer.parseInt(require(fields, "Broker", text));
        brokers.put(id, new Broker(id, require(fields, "Address", text), require(fields, "Status", text),
            Long.parseLong(require(fields, "Epoch", text)), require(fields, "Directory", text),
            fields.getOrDefault("Kafka", "")));
      }
    }
    if (clusterId == null) {
      throw new AssertionError("no 'ClusterId:' line in cluster describe's output:\n" + text);
    }
    return new ClusterDescription(clusterId, controller, controllerEpoch, Map.copyOf(brokers), text);
  }

  /**
   * The same description from a {@link MetadataResponse} a client in the test JVM was given (no
   * CLI JVM); {@link #text} is rendered as {@code cluster describe} prints it, for failure messages.
   */
  public static ClusterDescription of(MetadataResponse m) {
    Map<Integer, Broker> brokers = new TreeMap<>();
    StringBuilder text = new StringBuilder("ClusterId: " + m.clusterId() + "\tController: " + m.controller()
        + "\tControllerEpoch: " + m.controllerEpoch() + "\n");
    for (BrokerInfo b : m.brokerInfo()) {
      brokers.put(b.id(), new Broker(b.id(), b.address(), b.status(), b.epoch(), b.directoryId(), b.kafkaAddress()));
      text.append("Broker: ").append(b.id()).append("\tAddress: ").append(b.address()).append("\tStatus: ")
          .append(b.status()).append("\tEpoch: ").append(b.epoch()).append("\tDirectory: ").append(b.directoryId())
          .append(b.kafkaAddress().isEmpty() ? "" : "\tKafka: " + b.kafkaAddress())
          .append(b.newDirectory() ? "\t(new directory)" : "").append('\n');
    }
    OptionalInt controller = m.controller() >= 0 ? OptionalInt.of(m.controller()) : OptionalInt.empty();
    return new ClusterDescription(m.clusterId(), controller, m.controllerEpoch(), Map.copyOf(brokers), text.toString());
  }

  /** Broker {@code id}'s line; fails (with the whole output) when there is none. */
  public Broker broker(int id) {
    Broker b = brokers.get(id);
    if (b == null) {
      throw new AssertionError("no 'Broker: " + id + "' line in:\n" + text);
    }
    return b;
  }

  /** The controller's broker id; fails (with the whole output) when none is reported. */
  public int requireController() {
    if (controller.isEmpty()) {
      throw new AssertionError("no controller in:\n" + text);
    }
    return controller.getAsInt();
  }

  /** Fails unless each of {@code ids} is listed {@code Registered}. */
  public ClusterDescription requireRegistered(List<Integer> ids) {
    for (int id : ids) {
      if (!broker(id).registered()) {
        throw new AssertionError("broker " + id + " is not " + REGISTERED + " in:\n" + text);
      }
    }
    return this;
  }

  private static Map<String, String> fields(String line) {
    Map<String, String> fields = new HashMap<>();
    for (String part : line.split("\t")) {
      int colon = part.indexOf(':');
      if (colon > 0) {
        fields.put(part.substring(0, colon).trim(), part.substring(colon + 1).trim());
      }
    }
    return fields;
  }

  private static String require(Map<String, String> fields, String key, String text) {
    String v = fields.get(key);
    if (v == null) {
      throw new AssertionError("no '" + key + ":' field in cluster describe's output:\n" + text);
    }
    return v;
  }
}
