package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka protocol edge of a broker: a TCP listener (Pekko Streams {@link Tcp}) whose frames are
 * Kafka's, a 4-byte big-endian size and then the request. Each connection handles up to {@code
 * max-in-flight-per-connection} requests at once and answers them in the order they came, as the
 * protocol requires. A frame over {@code max-request-bytes}, or a request that cannot be read,
 * closes that connection only, as Kafka does; the broker and its other connections go on.
 */
public final class KafkaListener {

  private static final Logger log = LoggerFactory.getLogger(KafkaListener.class);

  private KafkaListener() {}

  /**
   * Binds the listener.
   *
   * @param brokerHost the broker's own host: the default interface and advertised host
   * @param client this broker's own client, once its gateways run; requests that need the cluster
   *     wait for it
   * @param rules the broker's topic config defaults and checks
   * @return the binding, whose local address says the bound port
   */
  public static CompletionStage<Tcp.ServerBinding> start(ActorSystem<?> system, KafkaSettings settings,
      String brokerHost, CompletionStage<TributaryClient> client, TopicRules rules) {
    KafkaApis apis = new KafkaApis(client, rules);
    String iface = settings.bindInterface(brokerHost);
    return Tcp.get(system).bind(iface, settings.port())
        .to(Sink.foreach(connection -> connection.handleWith(
            Framing.simpleFramingProtocol(settings.maxRequestBytes()).reversed()
                .join(requests(apis, settings, connection.remoteAddress().toString())),
            system)))
        .run(system)
        .thenApply(binding -> {
          log.info("Kafka listener on {}:{}", iface, binding.localAddress().getPort());
          return binding;
        });
  }

  /** One connection's requests, in frames without their size, to its answers, in the same order. */
  static Flow<ByteString, ByteString, org.apache.pekko.NotUsed> requests(KafkaApis apis, KafkaSettings settings,
      String peer) {
    return Flow.of(ByteString.class)
        .mapAsync(settings.maxInFlightPerConnection(), frame -> answer(apis, frame, peer))
        .filter(answer -> !answer.isEmpty()); // a request Kafka does not answer (Produce, acks=0)
  }

  /** The answer's frame; one this version cannot write is a bug here, said before the connection closes. */
  private static ByteString encode(KafkaRequest request, org.apache.kafka.common.protocol.ApiMessage body,
      String peer) {
    try {
      return KafkaCodec.encode(request.header().correlationId(), request.apiKey(), request.version(), body);
    } catch (RuntimeException unwritable) {
      log.warn("Closing the Kafka connection from {}: the answer to {} v{} cannot be written: {}", peer,
          request.apiKey().name, request.version(), unwritable.toString());
      throw unwritable;
    }
  }

  private static CompletionStage<ByteString> answer(KafkaApis apis, ByteString frame, String peer) {
    KafkaRequest request;
    try {
      request = KafkaCodec.decode(frame);
    } catch (UnsupportedVersionException newerApiVersions) {
      // Kafka answers an ApiVersions request it cannot read with its versions at v0, so the client
      // can retry with one both know. The correlation id sits right after key and version.
      int correlationId = frame.asByteBuffer().getInt(4);
      return CompletableFuture.completedFuture(KafkaCodec.encode(correlationId, ApiKeys.API_VERSIONS, (short) 0,
          KafkaApis.apiVersions(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION)));
    } catch (RuntimeException unreadable) {
      log.info("Closing the Kafka connection from {}: {}", peer, unreadable.getMessage());
      return CompletableFuture.failedFuture(unreadable);
    }
    CompletionStage<org.apache.kafka.common.protocol.ApiMessage> answer;
    try {
      answer = apis.answer(request);
    } catch (RuntimeException bug) { // answered as any failure is: Kafka's error answer, the connection kept
      answer = CompletableFuture.failedFuture(bug);
    }
    return answer
        .exceptionally(failure -> apis.failed(request, failure))
        .thenApply(body -> body == null ? ByteString.emptyByteString() : encode(request, body, peer));
  }
}
