package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import dev.tributary.protocol.message.MetadataResponse;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;

/**
 * What the listener answers each Kafka API with. Each request becomes what the typed client sends
 * (through a {@link TributaryClient} on this broker's own gateway), so the broker has two front
 * doors and one behaviour. An API this broker does not serve is answered {@code
 * UNSUPPORTED_VERSION}, as Kafka answers one it does not know, never by closing the connection.
 */
final class KafkaApis {

  /** The APIs served, each at every version kafka-clients can read and write. */
  static final Set<ApiKeys> SERVED = EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA, ApiKeys.PRODUCE,
      ApiKeys.FETCH, ApiKeys.LIST_OFFSETS, ApiKeys.INIT_PRODUCER_ID, ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
      ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DESCRIBE_CLUSTER,
      ApiKeys.SASL_HANDSHAKE, ApiKeys.SASL_AUTHENTICATE); // the last two answered by SaslPlainGate
  static {
    SERVED.addAll(GroupApis.SERVED);
  }

  private final CompletionStage<TributaryClient> client;
  private final GroupApis groups;
  private final CompletionStage<TopicAdminAnswers> topics;
  private final CompletionStage<ConfigAnswers> configs;

  /**
   * @param client this broker's own client, once its gateways run
   * @param rules the broker's topic config defaults and checks, for the admin APIs
   */
  KafkaApis(CompletionStage<TributaryClient> client, TopicRules rules) {
    this.client = client;
    this.groups = new GroupApis(client);
    this.topics = client.thenApply(c -> new TopicAdminAnswers(c, rules));
    this.configs = client.thenApply(c -> new ConfigAnswers(c, rules));
  }

  /** The answer to {@code request}, at its version; null for one Kafka does not answer (Produce with acks=0). */
  CompletionStage<ApiMessage> answer(KafkaRequest request) {
    return switch (request.apiKey()) {
      case API_VERSIONS -> CompletableFuture.completedFuture(apiVersions(Errors.NONE));
      case METADATA -> client.thenCompose(c -> c.metadata())
          .thenApply(m -> MetadataAnswers.answer((MetadataRequest) request.body(), m));
      case PRODUCE -> {
        ProduceRequest produce = (ProduceRequest) request.body();
        yield withTopics(produce.data().topicData().stream().map(t -> new KnownTopics.Named(t.name(), t.topicId())),
            (c, topics) -> ProduceAnswers.answer(c, topics, produce));
      }
      case FETCH -> {
        FetchRequest fetch = (FetchRequest) request.body();
        yield withTopics(fetch.data().topics().stream().map(t -> new KnownTopics.Named(t.topic(), t.topicId())),
            (c, topics) -> FetchAnswers.answer(c, topics, fetch));
      }
      case LIST_OFFSETS -> {
        ListOffsetsRequest list = (ListOffsetsRequest) request.body();
        yield withTopics(list.data().topics().stream().map(t -> new KnownTopics.Named(t.name(), null)),
            (c, topics) -> ListOffsetsAnswers.answer(c, topics, list));
      }
      case INIT_PRODUCER_ID -> client.thenCompose(c -> initProducerId(c, (InitProducerIdRequest) request.body()));
      // Admin requests read fresh metadata: they check what exists, and nothing waits on them in order.
      case CREATE_TOPICS -> topics.thenCompose(t -> fresh(m -> t.createTopics((CreateTopicsRequest) request.body(), m)));
      case DELETE_TOPICS -> topics.thenCompose(t -> fresh(m -> t.deleteTopics((DeleteTopicsRequest) request.body(), m)));
      case CREATE_PARTITIONS -> topics.thenCompose(t ->
          fresh(m -> t.createPartitions((CreatePartitionsRequest) request.body(), m)));
      case DESCRIBE_CONFIGS -> configs.thenCompose(c ->
          fresh(m -> CompletableFuture.completedFuture(c.describe((DescribeConfigsRequest) request.body(), m))));
      case INCREMENTAL_ALTER_CONFIGS -> configs.thenCompose(c ->
          fresh(m -> c.alter((IncrementalAlterConfigsRequest) request.body(), m)));
      case DESCRIBE_CLUSTER -> fresh(m -> CompletableFuture.completedFuture(
          MetadataAnswers.describeCluster((DescribeClusterRequest) request.body(), m)));
      case FIND_COORDINATOR, OFFSET_COMMIT, OFFSET_FETCH, LIST_GROUPS, DESCRIBE_GROUPS, DELETE_GROUPS, JOIN_GROUP,
          SYNC_GROUP, HEARTBEAT, LEAVE_GROUP -> groups.answer(request);
      default -> CompletableFuture.completedFuture(unsupported(request));
    };
  }

  /**
   * Runs {@code answer} with metadata that knows every topic the request names, when this broker's
   * client has it already (the usual case: the Kafka client learned the topics from this broker's
   * Metadata answer), so the answer's sends happen in this call, in request order; else after
   * asking for fresh metadata once (a topic still unknown is then the answer's to report).
   */
  private <T extends ApiMessage> CompletionStage<ApiMessage> withTopics(java.util.stream.Stream<KnownTopics.Named> named,
      java.util.function.BiFunction<TributaryClient, KnownTopics, CompletionStage<T>> answer) {
    List<KnownTopics.Named> names = named.toList();
    return client.thenCompose(c -> {
      Optional<KnownTopics> cached = c.latestMetadata().map(KnownTopics::new).filter(k -> k.knowsAll(names));
      CompletionStage<KnownTopics> topics = cached.<CompletionStage<KnownTopics>>map(CompletableFuture::completedFuture)
          .orElseGet(() -> c.metadata().thenApply(KnownTopics::new));
      return topics.thenCompose(k -> answer.apply(c, k).thenApply(ApiMessage.class::cast));
    });
  }

  private CompletionStage<ApiMessage> fresh(
      java.util.function.Function<MetadataResponse, CompletionStage<? extends ApiMessage>> answer) {
    return client.thenCompose(TributaryClient::metadata).thenCompose(m -> answer.apply(m).thenApply(ApiMessage.class::cast));
  }

  /**
   * A producer id for an idempotent producer, at epoch 0; a bump (KIP-360) gets a new id, which
   * Kafka's producer takes as well. Transactions are not supported.
   */
  private static CompletionStage<ApiMessage> initProducerId(TributaryClient client, InitProducerIdRequest request) {
    if (request.data().transactionalId() != null) {
      return CompletableFuture.completedFuture(new InitProducerIdResponseData()
          .setErrorCode(Errors.UNSUPPORTED_VERSION.code()).setProducerId(-1).setProducerEpoch((short) -1));
    }
    return client.initProducerId().thenApply(id -> new InitProducerIdResponseData().setProducerId(id)
        .setProducerEpoch((short) 0));
  }

  /**
   * The APIs served with their versions, or, with an error, what Kafka answers an ApiVersions
   * request it cannot read: the same list at version 0, so the client can pick a version.
   */
  static ApiVersionsResponseData apiVersions(Errors error) {
    ApiVersionsResponseData data = new ApiVersionsResponseData().setErrorCode(error.code());
    for (ApiKeys key : SERVED) {
      key.toApiVersion(false).ifPresent(v -> data.apiKeys().add(v.duplicate()));
    }
    return data;
  }

  /**
   * The answer to a request whose handling failed (the cluster did not answer in time, say): Kafka's
   * own error answer for that API, so the client retries as it would with Kafka.
   */
  ApiMessage failed(KafkaRequest request, Throwable failure) {
    return request.body().getErrorResponse(0, KafkaErrors.of(failure).exception(KafkaErrors.message(failure))).data();
  }

  /** Kafka's own error answer to this request, saying the API is not served here. */
  private static ApiMessage unsupported(KafkaRequest request) {
    return request.body().getErrorResponse(0, new UnsupportedVersionException(
        "Tributary does not serve " + request.apiKey().name + " (v" + request.version() + ") yet")).data();
  }
}
