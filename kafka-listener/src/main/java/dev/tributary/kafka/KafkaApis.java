package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * What the listener answers each Kafka API with. Each request becomes what the typed client sends
 * (through a {@link TributaryClient} on this broker's own gateway), so the broker has two front
 * doors and one behaviour. An API this broker does not serve is answered {@code
 * UNSUPPORTED_VERSION}, as Kafka answers one it does not know, never by closing the connection.
 */
final class KafkaApis {

  /** The APIs served, each at every version kafka-clients can read and write. */
  static final Set<ApiKeys> SERVED = EnumSet.of(ApiKeys.API_VERSIONS, ApiKeys.METADATA);
  static { SERVED.addAll(GroupApis.SERVED); }

  private final CompletionStage<TributaryClient> client;
  private final GroupApis groups;

  /** @param client this broker's own client, once its gateways run */
  KafkaApis(CompletionStage<TributaryClient> client) {
    this.client = client;
    this.groups = new GroupApis(client);
  }

  /** The answer to {@code request}, at its version. */
  CompletionStage<ApiMessage> answer(KafkaRequest request) {
    return switch (request.apiKey()) {
      case API_VERSIONS -> CompletableFuture.completedFuture(apiVersions(Errors.NONE));
      case METADATA -> client.thenCompose(c -> c.metadata())
          .thenApply(m -> MetadataAnswers.answer((MetadataRequest) request.body(), m));
      case FIND_COORDINATOR, OFFSET_COMMIT, OFFSET_FETCH, LIST_GROUPS, DESCRIBE_GROUPS, DELETE_GROUPS, JOIN_GROUP,
          SYNC_GROUP, HEARTBEAT, LEAVE_GROUP -> groups.answer(request);
      default -> CompletableFuture.completedFuture(unsupported(request));
    };
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
    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
        ? failure.getCause() : failure;
    org.apache.kafka.common.errors.ApiException error = cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof dev.tributary.protocol.TributaryException t
            && t.code() == dev.tributary.protocol.ErrorCode.REQUEST_TIMED_OUT
        ? new org.apache.kafka.common.errors.TimeoutException(cause.getMessage())
        : new org.apache.kafka.common.errors.UnknownServerException(String.valueOf(cause.getMessage()));
    return request.body().getErrorResponse(0, error).data();
  }

  /** Kafka's own error answer to this request, saying the API is not served here. */
  private static ApiMessage unsupported(KafkaRequest request) {
    return request.body().getErrorResponse(0, new UnsupportedVersionException(
        "Tributary does not serve " + request.apiKey().name + " (v" + request.version() + ") yet")).data();
  }
}
