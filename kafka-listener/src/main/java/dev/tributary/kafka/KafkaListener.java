package dev.tributary.kafka;

import dev.tributary.client.TributaryClient;
import dev.tributary.kafka.KafkaCodec.KafkaRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka protocol edge of a broker: a TCP listener (Pekko Streams {@link Tcp}) whose frames are
 * Kafka's, a 4-byte big-endian size and then the request. Each connection handles up to {@code
 * max-in-flight-per-connection} requests at once and answers them in the order they came, as the
 * protocol requires. A frame over {@code max-request-bytes} (over 512 KiB before a SASL login),
 * or a request that cannot be read, closes that connection only, as Kafka does; the broker and its
 * other connections go on.
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
   * @param security TLS and SASL/PLAIN, as the broker's settings ask
   * @return the binding, whose local address says the bound port
   */
  public static CompletionStage<Tcp.ServerBinding> start(ActorSystem<?> system, KafkaSettings settings,
      String brokerHost, CompletionStage<TributaryClient> client, TopicRules rules, KafkaSecurity security) {
    KafkaApis apis = new KafkaApis(client, rules);
    String iface = settings.bindInterface(brokerHost);
    return connections(system, iface, settings.port(), security)
        .to(Sink.foreach(connection -> connection.handleWith(
            connection(apis, settings, new SaslPlainGate(security.token()), connection.remoteAddress().toString()),
            system)))
        .run(system)
        .thenApply(binding -> {
          log.info("Kafka listener on {}:{} ({})", iface, binding.localAddress().getPort(), security.kafkaProtocol());
          return binding;
        });
  }

  private static org.apache.pekko.stream.javadsl.Source<Tcp.IncomingConnection, CompletionStage<Tcp.ServerBinding>>
      connections(ActorSystem<?> system, String iface, int port, KafkaSecurity security) {
    if (security.tls().isEmpty()) {
      return Tcp.get(system).bind(iface, port);
    }
    javax.net.ssl.SSLContext tls = security.tls().get();
    return Tcp.get(system).bindWithTls(iface, port, () -> {
      javax.net.ssl.SSLEngine engine = tls.createSSLEngine();
      engine.setUseClientMode(false);
      engine.setNeedClientAuth(false); // clients authenticate with SASL, not certificates
      return engine;
    }, 100, java.util.List.of(), java.util.Optional.empty(), session -> java.util.Optional.empty(),
        org.apache.pekko.stream.TLSClosing.eagerClose());
  }

  /**
   * An answer's frame, and whether the connection closes once it is written (a failed SASL login).
   * A request that closes the connection is an answer too, an empty last one, rather than a failed
   * stage: a failure would end the stream at once and lose the answers still in flight before it.
   */
  private record Answer(ByteString frame, boolean last) {
    static CompletionStage<Answer> closing() {
      return CompletableFuture.completedFuture(new Answer(ByteString.emptyByteString(), true));
    }
  }

  /**
   * One connection, bytes in and bytes out: its frames (held to the gate's limit, which is lower
   * until a SASL login) through {@link #requests}, the answers framed again.
   */
  private static Flow<ByteString, ByteString, org.apache.pekko.NotUsed> connection(KafkaApis apis,
      KafkaSettings settings, SaslPlainGate gate, String peer) {
    Flow<ByteString, ByteString, org.apache.pekko.NotUsed> frames = Flow.fromGraph(
        new KafkaFrameDecoder(() -> gate.maxFrameBytes(settings.maxRequestBytes())));
    return BidiFlow.fromFlows(frames, Flow.of(ByteString.class).map(KafkaListener::sized))
        .join(requests(apis, settings, gate, peer));
  }

  /** An answer with its 4-byte size in front; the body is not copied. */
  private static ByteString sized(ByteString answer) {
    return ByteString.fromArrayUnsafe(java.nio.ByteBuffer.allocate(4).putInt(answer.size()).array()).concat(answer);
  }

  /** One connection's requests, in frames without their size, to its answers, in the same order. */
  static Flow<ByteString, ByteString, org.apache.pekko.NotUsed> requests(KafkaApis apis, KafkaSettings settings,
      SaslPlainGate gate, String peer) {
    return Flow.of(ByteString.class)
        // mapAsync calls answer() one frame at a time, in order: the gate sees requests as they came.
        .mapAsync(settings.maxInFlightPerConnection(), frame -> answer(apis, gate, frame, peer))
        .takeWhile(answer -> !answer.last(), true)
        .map(Answer::frame)
        .filter(frame -> !frame.isEmpty()); // a request Kafka does not answer (Produce, acks=0)
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

  private static CompletionStage<Answer> answer(KafkaApis apis, SaslPlainGate gate, ByteString frame, String peer) {
    KafkaRequest request;
    try {
      request = KafkaCodec.decode(frame);
    } catch (UnsupportedVersionException newerApiVersions) {
      // Kafka answers an ApiVersions request it cannot read with its versions at v0, so the client
      // can retry with one both know. The correlation id sits right after key and version.
      int correlationId = frame.asByteBuffer().getInt(4);
      return CompletableFuture.completedFuture(new Answer(KafkaCodec.encode(correlationId, ApiKeys.API_VERSIONS,
          (short) 0, KafkaApis.apiVersions(org.apache.kafka.common.protocol.Errors.UNSUPPORTED_VERSION)), false));
    } catch (RuntimeException unreadable) {
      log.info("Closing the Kafka connection from {}: {}", peer, unreadable.getMessage());
      return Answer.closing();
    }
    SaslPlainGate.Verdict verdict;
    try {
      verdict = gate.check(request);
    } catch (RuntimeException refused) {
      log.info("Closing the Kafka connection from {}: {}", peer, refused.getMessage());
      return Answer.closing();
    }
    if (!verdict.passes()) {
      if (verdict.closeAfter()) {
        log.info("Closing the Kafka connection from {} after its failed SASL login", peer);
      }
      return CompletableFuture.completedFuture(new Answer(encode(request, verdict.answer(), peer), verdict.closeAfter()));
    }
    CompletionStage<org.apache.kafka.common.protocol.ApiMessage> answer;
    try {
      answer = apis.answer(request);
    } catch (RuntimeException bug) { // answered as any failure is: Kafka's error answer, the connection kept
      answer = CompletableFuture.failedFuture(bug);
    }
    return answer.handle((body, failure) -> {
      if (failure == null) {
        return new Answer(body == null ? ByteString.emptyByteString() : encode(request, body, peer), false);
      }
      if (KafkaErrors.unwrap(failure) instanceof KafkaErrors.CloseConnection close) {
        log.info("Closing the Kafka connection from {}: {}", peer, close.getMessage());
        return new Answer(ByteString.emptyByteString(), true);
      }
      return new Answer(encode(request, apis.failed(request, failure), peer), false);
    });
  }
}
