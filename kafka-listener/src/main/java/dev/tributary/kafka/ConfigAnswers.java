package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;

/**
 * Kafka's DescribeConfigs and IncrementalAlterConfigs for our topic configs. A topic describes
 * every key we support, its own value marked {@code TOPIC_CONFIG} and the rest the broker's
 * default; {@code cleanup.policy} is reported as the fixed {@code delete}, read-only, because
 * tools ask for it and Tributary does not compact. A broker describes the same defaults under
 * Kafka's broker names, read-only: they come from the broker's configuration file, not from an
 * API. SET and DELETE change a topic through the typed client's alter call; APPEND and SUBTRACT
 * are refused, as no key we have holds a list.
 */
final class ConfigAnswers {

  /** A config as DescribeConfigs and CreateTopics report it. */
  record Entry(String name, String value, boolean readOnly, ConfigSource source, ConfigType type) {}

  static final String CLEANUP_POLICY = "cleanup.policy";

  /** Each topic key's type, in the order Kafka's tools list them. */
  private static final Map<String, ConfigType> TYPES = Map.of(
      "retention.ms", ConfigType.LONG, "retention.bytes", ConfigType.LONG, "segment.bytes", ConfigType.INT,
      "max.message.bytes", ConfigType.INT, "min.insync.replicas", ConfigType.INT,
      "unclean.leader.election.enable", ConfigType.BOOLEAN);

  /** The broker config each topic key's default comes from, as Kafka names them. */
  private static final Map<String, String> BROKER_NAMES = Map.of(
      "retention.ms", "log.retention.ms", "retention.bytes", "log.retention.bytes", "segment.bytes",
      "log.segment.bytes", "max.message.bytes", "message.max.bytes", "min.insync.replicas", "min.insync.replicas",
      "unclean.leader.election.enable", "unclean.leader.election.enable");

  private final TributaryClient client;
  private final TopicRules rules;

  ConfigAnswers(TributaryClient client, TopicRules rules) {
    this.client = client;
    this.rules = rules;
  }

  /**
   * Takes {@code cleanup.policy} out of configs to set (tools set {@code delete}, the one policy
   * there is: nothing to store), or says why it cannot be ("" means back to the default, delete).
   */
  static Optional<String> withoutFixedPolicy(Map<String, String> configs) {
    String policy = configs.remove(CLEANUP_POLICY);
    if (policy == null || policy.isEmpty() || policy.trim().equals("delete")) {
      return Optional.empty();
    }
    return Optional.of(CLEANUP_POLICY + " can only be delete: Tributary does not compact, got '" + policy + "'");
  }

  /** A topic's configs: its own over the broker's defaults, sorted by name. */
  static List<Entry> topicEntries(Map<String, String> defaults, Map<String, String> own) {
    List<Entry> entries = new ArrayList<>();
    defaults.keySet().stream().sorted().forEach(key -> {
      boolean set = own.containsKey(key);
      entries.add(new Entry(key, set ? own.get(key) : defaults.get(key), false,
          set ? ConfigSource.TOPIC_CONFIG : ConfigSource.DEFAULT_CONFIG, TYPES.getOrDefault(key, ConfigType.STRING)));
    });
    entries.add(new Entry(CLEANUP_POLICY, "delete", true, ConfigSource.DEFAULT_CONFIG, ConfigType.LIST));
    return entries;
  }

  DescribeConfigsResponseData describe(DescribeConfigsRequest request, MetadataResponse metadata) {
    boolean withTypes = request.version() >= 3;
    boolean withDocumentation = withTypes && request.data().includeDocumentation();
    DescribeConfigsResponseData out = new DescribeConfigsResponseData();
    for (DescribeConfigsResource asked : request.data().resources()) {
      DescribeConfigsResult result = new DescribeConfigsResult().setResourceType(asked.resourceType())
          .setResourceName(asked.resourceName());
      ConfigResource.Type type = ConfigResource.Type.forId(asked.resourceType());
      List<Entry> entries;
      if (type == ConfigResource.Type.TOPIC) {
        TopicMetadata topic = metadata.topics().get(asked.resourceName());
        if (topic == null) {
          out.results().add(result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
              .setErrorMessage("no topic '" + asked.resourceName() + "'"));
          continue;
        }
        entries = topicEntries(rules.defaults(), topic.configs());
      } else if (type == ConfigResource.Type.BROKER) {
        entries = brokerEntries();
      } else {
        out.results().add(result.setErrorCode(Errors.INVALID_REQUEST.code())
            .setErrorMessage("Tributary describes topic and broker configs only, not " + type));
        continue;
      }
      for (Entry e : entries) {
        if (asked.configurationKeys() != null && !asked.configurationKeys().contains(e.name())) {
          continue;
        }
        DescribeConfigsResourceResult config = new DescribeConfigsResourceResult().setName(e.name())
            .setValue(e.value()).setReadOnly(e.readOnly()).setConfigSource(e.source().id()).setIsSensitive(false);
        if (withTypes) {
          config.setConfigType(e.type().id());
        }
        if (withDocumentation) {
          config.setDocumentation(null);
        }
        result.configs().add(config);
      }
      out.results().add(result);
    }
    return out;
  }

  private List<Entry> brokerEntries() {
    List<Entry> entries = new ArrayList<>();
    rules.defaults().forEach((key, value) -> entries.add(new Entry(BROKER_NAMES.getOrDefault(key, key), value, true,
        ConfigSource.STATIC_BROKER_CONFIG, TYPES.getOrDefault(key, ConfigType.STRING))));
    entries.sort(java.util.Comparator.comparing(Entry::name));
    return entries;
  }

  CompletionStage<IncrementalAlterConfigsResponseData> alter(IncrementalAlterConfigsRequest request,
      MetadataResponse metadata) {
    List<CompletableFuture<AlterConfigsResourceResponse>> results = new ArrayList<>();
    for (AlterConfigsResource asked : request.data().resources()) {
      AlterConfigsResourceResponse result = new AlterConfigsResourceResponse().setResourceType(asked.resourceType())
          .setResourceName(asked.resourceName());
      Map<String, String> changes = new HashMap<>();
      Optional<String> problem = changes(asked, metadata, changes);
      if (problem.isPresent()) {
        Errors error = ConfigResource.Type.forId(asked.resourceType()) == ConfigResource.Type.TOPIC
            && !metadata.topics().containsKey(asked.resourceName()) ? Errors.UNKNOWN_TOPIC_OR_PARTITION
            : Errors.INVALID_CONFIG;
        results.add(CompletableFuture.completedFuture(result.setErrorCode(error.code()).setErrorMessage(problem.get())));
      } else if (request.data().validateOnly() || changes.isEmpty()) {
        results.add(CompletableFuture.completedFuture(result));
      } else {
        results.add(client.alterConfigs(asked.resourceName(), changes).handle((answer, failure) -> failure == null
            ? result : result.setErrorCode(KafkaErrors.of(failure).code()).setErrorMessage(KafkaErrors.message(failure)))
            .toCompletableFuture());
      }
    }
    return TopicAdminAnswers.all(results).thenApply(done -> {
      IncrementalAlterConfigsResponseData out = new IncrementalAlterConfigsResponseData();
      done.forEach(out.responses()::add);
      return out;
    });
  }

  /**
   * Fills {@code changes} with what the alteration sets (a DELETE as "", which the controller takes
   * as back to the default), or says why the whole resource is refused.
   */
  private Optional<String> changes(AlterConfigsResource asked, MetadataResponse metadata, Map<String, String> changes) {
    ConfigResource.Type type = ConfigResource.Type.forId(asked.resourceType());
    if (type != ConfigResource.Type.TOPIC) {
      return Optional.of("Tributary changes topic configs only; " + type + " configs are set in the broker's"
          + " configuration file");
    }
    if (!metadata.topics().containsKey(asked.resourceName())) {
      return Optional.of("no topic '" + asked.resourceName() + "'");
    }
    for (AlterableConfig c : asked.configs()) {
      AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
      if (op == AlterConfigOp.OpType.SET) {
        changes.put(c.name(), c.value() == null ? "" : c.value());
      } else if (op == AlterConfigOp.OpType.DELETE) {
        changes.put(c.name(), "");
      } else {
        return Optional.of("config '" + c.name() + "': only SET and DELETE are supported; no topic config here"
            + " holds a list");
      }
    }
    Optional<String> policy = withoutFixedPolicy(changes);
    if (policy.isPresent()) {
      return policy;
    }
    Map<String, String> set = new HashMap<>(changes);
    set.values().removeIf(String::isEmpty);
    for (String key : changes.keySet()) {
      if (!rules.defaults().containsKey(key)) {
        return rules.configProblem(Map.of(key, "0")).or(() -> Optional.of("unknown config '" + key + "'"));
      }
    }
    return rules.configProblem(set);
  }
}
