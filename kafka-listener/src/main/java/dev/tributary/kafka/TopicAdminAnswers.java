package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * Kafka's CreateTopics, DeleteTopics and CreatePartitions as the typed client's admin calls, one
 * per topic, all at once; each topic's result carries its own error, as in Kafka. A
 * {@code validateOnly} request runs the controller's checks here, against this broker's metadata,
 * and changes nothing. Manual replica assignments are refused: the controller places replicas.
 */
final class TopicAdminAnswers {

  /** A topic created with no partition count gets Kafka's {@code num.partitions} default. */
  static final int DEFAULT_PARTITIONS = 1;

  private final TributaryClient client;
  private final TopicRules rules;

  TopicAdminAnswers(TributaryClient client, TopicRules rules) {
    this.client = client;
    this.rules = rules;
  }

  CompletionStage<CreateTopicsResponseData> createTopics(CreateTopicsRequest request, MetadataResponse metadata) {
    short version = request.version();
    boolean validateOnly = request.data().validateOnly();
    List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
    Set<String> repeated = repeated(request.data().topics().stream().map(CreatableTopic::name).toList());
    repeated.forEach(name -> results.add(CompletableFuture.completedFuture(duplicate(name)
        .into(new CreatableTopicResult().setName(name)))));
    for (CreatableTopic asked : request.data().topics()) {
      if (repeated.contains(asked.name())) {
        continue;
      }
      Map<String, String> configs = new HashMap<>();
      asked.configs().forEach(c -> configs.put(c.name(), c.value() == null ? "" : c.value()));
      int partitions = asked.numPartitions() == CreateTopicsRequest.NO_NUM_PARTITIONS ? DEFAULT_PARTITIONS
          : asked.numPartitions();
      Optional<Refusal> refused = createProblem(asked, partitions, configs, metadata);
      if (refused.isPresent()) {
        results.add(CompletableFuture.completedFuture(refused.get().into(new CreatableTopicResult().setName(asked.name()))));
      } else if (validateOnly) {
        int replication = asked.replicationFactor() == CreateTopicsRequest.NO_REPLICATION_FACTOR
            ? rules.defaultReplicationFactor() : asked.replicationFactor();
        results.add(CompletableFuture.completedFuture(created(new CreatableTopicResult().setName(asked.name()),
            version, partitions, replication, Uuid.ZERO_UUID, configs)));
      } else {
        CompletionStage<AdminResponse> create = asked.replicationFactor() == CreateTopicsRequest.NO_REPLICATION_FACTOR
            ? client.createTopic(asked.name(), partitions, configs)
            : client.createTopic(asked.name(), partitions, asked.replicationFactor(), configs);
        results.add(create.handle((answer, failure) -> {
          CreatableTopicResult result = new CreatableTopicResult().setName(asked.name());
          if (failure != null) {
            return Refusal.of(failure).into(result);
          }
          TopicMetadata t = answer.topic().orElseThrow();
          return created(result, version, t.partitions(), t.replicationFactor(), MetadataAnswers.uuid(t.topicId()),
              t.configs());
        }).toCompletableFuture());
      }
    }
    return all(results).thenApply(done -> {
      CreateTopicsResponseData out = new CreateTopicsResponseData();
      done.forEach(out.topics()::add);
      return out;
    });
  }

  private Optional<Refusal> createProblem(CreatableTopic asked, int partitions, Map<String, String> configs,
      MetadataResponse metadata) {
    if (!asked.assignments().isEmpty()) {
      return Refusal.of(Errors.INVALID_REQUEST, "manual replica assignments are not supported: give a partition"
          + " count and a replication factor, and the controller places the replicas");
    }
    Optional<String> badName = TopicNames.problem(asked.name());
    if (badName.isPresent()) {
      return Refusal.of(Errors.INVALID_TOPIC_EXCEPTION, badName.get());
    }
    if (metadata.topics().containsKey(asked.name())) {
      return Refusal.of(Errors.TOPIC_ALREADY_EXISTS, "topic '" + asked.name() + "' already exists");
    }
    Optional<String> badCount = rules.partitionsProblem(partitions);
    if (badCount.isPresent()) {
      return Refusal.of(Errors.INVALID_PARTITIONS, badCount.get());
    }
    int serving = (int) metadata.brokerInfo().stream().filter(b -> !b.fenced()).count();
    if (asked.replicationFactor() != CreateTopicsRequest.NO_REPLICATION_FACTOR
        && (asked.replicationFactor() < 1 || asked.replicationFactor() > Math.max(serving, 1))) {
      return Refusal.of(Errors.INVALID_REPLICATION_FACTOR, "replication factor must be between 1 and the "
          + serving + " serving brokers, got " + asked.replicationFactor());
    }
    Optional<String> policy = ConfigAnswers.withoutFixedPolicy(configs);
    if (policy.isPresent()) {
      return Refusal.of(Errors.INVALID_CONFIG, policy.get());
    }
    return rules.configProblem(configs).flatMap(problem -> Refusal.of(Errors.INVALID_CONFIG, problem));
  }

  /** A created topic's result: count, replication and (v5+) its configs; its id from v7. */
  private CreatableTopicResult created(CreatableTopicResult result, short version, int partitions, int replication,
      Uuid topicId, Map<String, String> own) {
    if (version >= 7) {
      result.setTopicId(topicId);
    }
    if (version >= 5) {
      result.setNumPartitions(partitions).setReplicationFactor((short) replication);
      for (ConfigAnswers.Entry e : ConfigAnswers.topicEntries(rules.defaults(), own)) {
        result.configs().add(new CreatableTopicConfigs().setName(e.name()).setValue(e.value())
            .setReadOnly(e.readOnly()).setConfigSource(e.source().id()).setIsSensitive(false));
      }
    }
    return result;
  }

  CompletionStage<DeleteTopicsResponseData> deleteTopics(DeleteTopicsRequest request, MetadataResponse metadata) {
    Map<Uuid, String> names = new HashMap<>();
    metadata.topics().values().forEach(t -> names.put(MetadataAnswers.uuid(t.topicId()), t.name()));
    List<DeleteTopicState> asked = new ArrayList<>(request.data().topics());
    request.data().topicNames().forEach(n -> asked.add(new DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID)));
    boolean withIds = request.version() >= 6;
    List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
    // As Kafka's controller: a topic named more than once, by name or by id, is deleted by none of them.
    Set<String> repeatedNames = repeated(asked.stream().map(DeleteTopicState::name).filter(n -> n != null).toList());
    Set<Uuid> repeatedIds = repeated(asked.stream().filter(t -> t.name() == null).map(DeleteTopicState::topicId)
        .toList());
    repeatedNames.forEach(name -> results.add(CompletableFuture.completedFuture(duplicate(name)
        .into(new DeletableTopicResult().setName(name)))));
    repeatedIds.forEach(id -> results.add(CompletableFuture.completedFuture(new DeletableTopicResult().setTopicId(id)
        .setErrorCode(Errors.INVALID_REQUEST.code())
        .setErrorMessage("topic id " + id + " appears more than once in the request: name each topic once"))));
    for (DeleteTopicState topic : asked) {
      DeletableTopicResult result = new DeletableTopicResult().setName(topic.name());
      String name = topic.name();
      if (name != null && !Uuid.ZERO_UUID.equals(topic.topicId())) {
        results.add(CompletableFuture.completedFuture(result.setTopicId(topic.topicId())
            .setErrorCode(Errors.INVALID_REQUEST.code())
            .setErrorMessage("topic '" + name + "' is given by both name and id: give one of them")));
        continue;
      }
      if (name != null ? repeatedNames.contains(name) : repeatedIds.contains(topic.topicId())) {
        continue;
      }
      if (name == null) {
        name = names.get(topic.topicId());
        if (name == null) {
          results.add(CompletableFuture.completedFuture(result.setTopicId(topic.topicId())
              .setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()).setErrorMessage("no topic has id " + topic.topicId())));
          continue;
        }
        result.setName(name);
      }
      TopicMetadata known = metadata.topics().get(name);
      if (withIds && known != null) {
        result.setTopicId(MetadataAnswers.uuid(known.topicId()));
      }
      results.add(client.deleteTopic(name)
          .handle((answer, failure) -> failure == null ? result : Refusal.of(failure).into(result))
          .toCompletableFuture());
    }
    return all(results).thenApply(done -> {
      DeleteTopicsResponseData out = new DeleteTopicsResponseData();
      done.forEach(out.responses()::add);
      return out;
    });
  }

  CompletionStage<CreatePartitionsResponseData> createPartitions(CreatePartitionsRequest request,
      MetadataResponse metadata) {
    List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
    Set<String> repeated = repeated(request.data().topics().stream().map(CreatePartitionsTopic::name).toList());
    repeated.forEach(name -> results.add(CompletableFuture.completedFuture(duplicate(name)
        .into(new CreatePartitionsTopicResult().setName(name)))));
    for (CreatePartitionsTopic asked : request.data().topics()) {
      if (repeated.contains(asked.name())) {
        continue;
      }
      CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(asked.name());
      TopicMetadata known = metadata.topics().get(asked.name());
      Optional<Refusal> refused = Optional.empty();
      if (asked.assignments() != null) {
        refused = Refusal.of(Errors.INVALID_REQUEST, "manual replica assignments are not supported: give the new"
            + " partition count, and the controller places the replicas");
      } else if (known == null) {
        refused = Refusal.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, "no topic '" + asked.name() + "'");
      } else if (asked.count() <= known.partitions()) {
        refused = Refusal.of(Errors.INVALID_PARTITIONS, "topic '" + asked.name() + "' has " + known.partitions()
            + " partitions; the new count must be above that, got " + asked.count());
      } else {
        refused = rules.partitionsProblem(asked.count()).flatMap(p -> Refusal.of(Errors.INVALID_PARTITIONS, p));
      }
      if (refused.isPresent()) {
        results.add(CompletableFuture.completedFuture(refused.get().into(result)));
      } else if (request.data().validateOnly()) {
        results.add(CompletableFuture.completedFuture(result));
      } else {
        results.add(client.addPartitions(asked.name(), asked.count())
            .handle((answer, failure) -> failure == null ? result : Refusal.of(failure).into(result))
            .toCompletableFuture());
      }
    }
    return all(results).thenApply(done -> {
      CreatePartitionsResponseData out = new CreatePartitionsResponseData();
      done.forEach(out.results()::add);
      return out;
    });
  }

  /** What a request names more than once, each once, in the order first seen. */
  static <T> Set<T> repeated(List<T> named) {
    Set<T> seen = new HashSet<>();
    Set<T> again = new LinkedHashSet<>();
    named.forEach(n -> {
      if (!seen.add(n)) {
        again.add(n);
      }
    });
    return again;
  }

  /** Kafka answers each topic a request names twice with INVALID_REQUEST, and acts on neither. */
  private static Refusal duplicate(String name) {
    return new Refusal(Errors.INVALID_REQUEST, "topic '" + name + "' appears more than once in the request:"
        + " name each topic once");
  }

  static <T> CompletionStage<List<T>> all(List<CompletableFuture<T>> results) {
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(done -> results.stream().map(CompletableFuture::join).toList());
  }

  /** An error for one resource of a request, with the message Kafka's client shows. */
  record Refusal(Errors error, String message) {

    static Optional<Refusal> of(Errors error, String message) {
      return Optional.of(new Refusal(error, message));
    }

    static Refusal of(Throwable failure) {
      return new Refusal(KafkaErrors.of(failure), KafkaErrors.message(failure));
    }

    CreatableTopicResult into(CreatableTopicResult r) {
      return r.setErrorCode(error.code()).setErrorMessage(message);
    }

    DeletableTopicResult into(DeletableTopicResult r) {
      return r.setErrorCode(error.code()).setErrorMessage(message);
    }

    CreatePartitionsTopicResult into(CreatePartitionsTopicResult r) {
      return r.setErrorCode(error.code()).setErrorMessage(message);
    }
  }
}
