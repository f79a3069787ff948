package dev.tributary.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.tributary.protocol.ErrorCode;
import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import dev.tributary.protocol.Tributary;
import dev.tributary.protocol.message.Acks;
import dev.tributary.protocol.message.AdminRequest;
import dev.tributary.protocol.message.AdminResponse;
import dev.tributary.protocol.message.DataPlaneMessage;
import dev.tributary.protocol.message.Fetch;
import dev.tributary.protocol.message.FetchResponse;
import dev.tributary.protocol.message.GatewayRequest;
import dev.tributary.protocol.message.GetMetadata;
import dev.tributary.protocol.message.ListOffsets;
import dev.tributary.protocol.message.ListOffsetsResponse;
import dev.tributary.protocol.message.MetadataResponse;
import dev.tributary.protocol.message.Produce;
import dev.tributary.protocol.message.ProduceResponse;
import dev.tributary.protocol.record.RecordBatch;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The connection to a Tributary cluster: control requests (metadata, topics, offsets) and the raw
 * data plane (produce and fetch of record batches) on which {@link Producer} and {@link Consumer}
 * are built. Thread-safe; every call returns a {@link CompletionStage}.
 *
 * <p>{@link #connect(String)} starts a small actor system of its own that talks to a bootstrap
 * broker's gateway over Artery without joining the cluster, as a Kafka client talks to brokers.
 *
 * <p>Produce and fetch go to each partition's leader. One sent to a broker that the newest metadata
 * says no longer leads the partition, or is fenced, is answered {@code REQUEST_TIMED_OUT} at once
 * ({@link UnansweredRequests}): a broker killed without a word never answers, and Artery does not
 * tell, so the caller retries on the new leader about a session timeout after the kill instead of
 * after its request timeout.
 */
public final class TributaryClient implements AutoCloseable {

  private final ActorSystem<Void> system;
  private final boolean ownsSystem;
  private final String bootstrap;
  /** The control gateway of each bootstrap broker, in the order given. */
  private final java.util.List<ActorRef<GatewayRequest>> gateways;
  /** The data gateway of each bootstrap broker, for partitions whose leader is not known yet. */
  private final java.util.List<ActorRef<GatewayRequest>> bootstrapDataGateways;
  /** Each bootstrap broker's {@code host:port}, as a broker's registration names it. */
  private final java.util.List<String> bootstrapAddresses;
  /**
   * The bootstrap broker control requests go to: the first to answer the latest metadata request,
   * the next after a control request went unanswered, another when the metadata says it is fenced.
   */
  private volatile int current;
  /** Every broker's data gateway this client sent to, by the broker's Pekko address. */
  private final java.util.concurrent.ConcurrentHashMap<String, ActorRef<GatewayRequest>> dataGateways =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final ActorRef<DataPlaneMessage> replies;
  private final DataReplies pending;
  /** Every produce and fetch not answered yet, so fresh metadata can let go of those sent to a dead broker. */
  private final UnansweredRequests unanswered;
  private final Duration requestTimeout;
  /** Group requests, sent to each group's coordinator and asked again when it moves. */
  private final GroupRequests groupRequests;

  private static final java.util.concurrent.atomic.AtomicLong RECONNECTORS = new java.util.concurrent.atomic.AtomicLong();
  /** Reach the bootstrap brokers again after they restart on the same addresses. */
  private final java.util.List<ActorRef<Object>> reconnectors = new java.util.ArrayList<>();
  /** The newest metadata the gateway pushed (or answered a renewal with); null until the first. */
  private final java.util.concurrent.atomic.AtomicReference<MetadataResponse> pushed =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final ActorRef<Object> metadataWatcher;

  private TributaryClient(ActorSystem<Void> system, boolean ownsSystem, String bootstrap,
      ActorRef<DataPlaneMessage> replies, DataReplies pending, Duration requestTimeout) {
    this.system = system;
    this.ownsSystem = ownsSystem;
    this.bootstrap = bootstrap;
    ActorRefResolver resolver = ActorRefResolver.get(system);
    long clientNumber = RECONNECTORS.incrementAndGet();
    java.util.List<ActorRef<GatewayRequest>> control = new java.util.ArrayList<>();
    java.util.List<ActorRef<GatewayRequest>> data = new java.util.ArrayList<>();
    java.util.List<String> hostPorts = new java.util.ArrayList<>();
    java.util.List<String[]> addresses = parseBootstraps(bootstrap);
    for (int i = 0; i < addresses.size(); i++) {
      String host = addresses.get(i)[0];
      int port = Integer.parseInt(addresses.get(i)[1]);
      hostPorts.add(host + ":" + port);
      control.add(resolver.resolveActorRef(Tributary.gatewayPath(host, port)));
      data.add(resolver.resolveActorRef(Tributary.dataGatewayPath(host, port)));
      reconnectors.add(system.systemActorOf(BrokerReconnector.create(
              new org.apache.pekko.actor.Address("pekko", Tributary.SYSTEM_NAME, host, port), Tributary.gatewayPath(host, port)),
          "tributary-reconnect-" + clientNumber + "-" + i, org.apache.pekko.actor.typed.Props.empty()));
    }
    this.gateways = java.util.List.copyOf(control);
    this.bootstrapDataGateways = java.util.List.copyOf(data);
    this.bootstrapAddresses = java.util.List.copyOf(hostPorts);
    this.replies = replies;
    this.pending = pending;
    this.unanswered = new UnansweredRequests(pending);
    this.requestTimeout = requestTimeout;
    this.current = firstToAnswer();
    this.groupRequests = new GroupRequests(system, requestTimeout, pushed::get, () -> new GroupRequests.Target(
        gateway(), bootstrapAddresses.get(current), "", -1, true), this::nextBootstrap, noAnswer());
    this.metadataWatcher = system.systemActorOf(MetadataWatcher.create(gateways, this::install),
        "tributary-metadata-" + clientNumber, org.apache.pekko.actor.typed.Props.empty());
  }

  /**
   * With several bootstrap brokers, the index of the first to answer for metadata (all are asked
   * at once, for at most the request timeout): any of them may be down. With one, or when none
   * answers, the first; requests then fail or time out as they would.
   */
  private int firstToAnswer() {
    if (gateways.size() == 1) {
      return 0;
    }
    CompletableFuture<Integer> first = new CompletableFuture<>();
    for (int i = 0; i < gateways.size(); i++) {
      int index = i;
      AskPattern.<GatewayRequest, MetadataResponse>ask(gateways.get(i), GetMetadata::new, requestTimeout,
          system.scheduler()).thenAccept(answer -> first.complete(index));
    }
    try {
      return first.get(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception noneAnswered) {
      return 0;
    }
  }

  /** The bootstrap broker's control gateway that requests go to now. */
  private ActorRef<GatewayRequest> gateway() {
    return gateways.get(current);
  }

  /**
   * After a control request went unanswered, the next ones go to the next bootstrap broker (the
   * next one the newest metadata does not say is fenced, if there is one).
   */
  private void nextBootstrap(ActorRef<GatewayRequest> unanswered) {
    int now = current;
    if (gateways.size() > 1 && gateways.get(now).equals(unanswered)) {
      current = nextUnfenced(now, UnansweredRequests.fencedAddresses(pushed.get()));
    }
  }

  /** The bootstrap after {@code from} (cyclically) whose broker is not in {@code fenced}; the plain next one if all are. */
  private int nextUnfenced(int from, java.util.Set<String> fenced) {
    for (int step = 1; step <= gateways.size(); step++) {
      int candidate = (from + step) % gateways.size();
      if (!fenced.contains(bootstrapAddresses.get(candidate))) {
        return candidate;
      }
    }
    return (from + 1) % gateways.size();
  }

  /**
   * Connects to the cluster through a bootstrap broker, {@code host:port}, or several,
   * comma-separated: any of them may be down. Control requests go to the first that answers, and
   * to the next after one goes unanswered; produce and fetch go to each partition's leader.
   *
   * @throws IllegalArgumentException when the address is not {@code host:port}
   */
  public static TributaryClient connect(String bootstrap) {
    return connect(bootstrap, null);
  }

  /**
   * {@link #connect(String)} with the timeout of control requests ({@code tributary.client.request-timeout}
   * otherwise, 10 s); admin requests wait four times as long.
   */
  public static TributaryClient connect(String bootstrap, Duration requestTimeout) {
    parseBootstraps(bootstrap);
    return start(bootstrap, requestTimeout, ConfigFactory.parseResources("tributary-client.conf"));
  }

  /** How long {@link #connectForCommandLine} waits for a TCP connection to some bootstrap address. */
  public static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);

  /**
   * {@link #connect(String)} for a command that lives a second or two, as the {@code tributary}
   * command line's: fails at once, with one line naming each address, when no bootstrap address
   * accepts a TCP connection (within {@link #PROBE_TIMEOUT}), where Artery would retry quietly until
   * a request timed out; and its actor system ({@code tributary-cli-client.conf}) starts without
   * what a command never uses (docs/BENCHMARKS.md, "CLI start-up").
   *
   * @throws TributaryException {@code BROKER_NOT_AVAILABLE} when no bootstrap address is reachable
   */
  public static TributaryClient connectForCommandLine(String bootstrap) {
    return connectForCommandLine(bootstrap, ConfigFactory.empty());
  }

  /** {@link #connectForCommandLine(String)} with settings over the client's, e.g. {@code tributary.client.tls-dir}. */
  public static TributaryClient connectForCommandLine(String bootstrap, Config overrides) {
    BootstrapProbe.requireOne(parseBootstraps(bootstrap), PROBE_TIMEOUT);
    return start(bootstrap, null, overrides.withFallback(ConfigFactory.parseResources("tributary-cli-client.conf"))
        .withFallback(ConfigFactory.parseResources("tributary-client.conf")));
  }

  /** Starts the client's own actor system with {@code settings} over the classpath's configuration. */
  private static TributaryClient start(String bootstrap, Duration requestTimeout, Config settings) {
    Config config = dev.tributary.protocol.ArteryTls.forClient(settings.withFallback(ConfigFactory.load()).resolve());
    DataReplies pending = new DataReplies();
    CompletableFuture<ActorRef<DataPlaneMessage>> repliesRef = new CompletableFuture<>();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      repliesRef.complete(context.spawn(pending.behavior(), Tributary.CLIENT_DATA_REPLIES_NAME));
      return Behaviors.empty();
    }), "tributary-client", config);
    return new TributaryClient(system, true, bootstrap, repliesRef.join(), pending,
        requestTimeout != null ? requestTimeout : config.getDuration("tributary.client.request-timeout"));
  }

  /**
   * A client on an actor system the caller owns, for example a service that is a member of the
   * cluster with role {@code client} (see ARCHITECTURE.md, "Clients"). The system must include
   * the {@code tributary-remoting} settings, so its data-reply actor is a large-message
   * destination. The client does not terminate the system on {@link #close()}.
   *
   * @param bootstrap the broker whose gateway serves this client, {@code host:port}
   */
  public static TributaryClient fromSystem(ActorSystem<?> system, String bootstrap) {
    return fromSystem(system, bootstrap, Duration.ofSeconds(10));
  }

  /** {@link #fromSystem(ActorSystem, String)} with the timeout of control requests. */
  public static TributaryClient fromSystem(ActorSystem<?> system, String bootstrap, Duration requestTimeout) {
    parseBootstraps(bootstrap);
    DataReplies pending = new DataReplies();
    // The caller's guardian owns /user, so the reply actor lives under /system; that path is a
    // large-message destination too (tributary-remoting.conf).
    ActorRef<DataPlaneMessage> replies = system.systemActorOf(
        pending.behavior(), Tributary.CLIENT_DATA_REPLIES_NAME, org.apache.pekko.actor.typed.Props.empty());
    @SuppressWarnings("unchecked")
    ActorSystem<Void> untyped = (ActorSystem<Void>) system;
    return new TributaryClient(untyped, false, bootstrap, replies, pending, requestTimeout);
  }

  /** Validates and splits every {@code host:port} of a comma-separated list. */
  static java.util.List<String[]> parseBootstraps(String bootstrap) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("no bootstrap address: give host:port, e.g. 127.0.0.1:25520");
    }
    java.util.List<String[]> out = new java.util.ArrayList<>();
    for (String one : bootstrap.split(",", -1)) {
      out.add(parseBootstrap(one));
    }
    return out;
  }

  /** Validates and splits one {@code host:port}. */
  static String[] parseBootstrap(String bootstrap) {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new IllegalArgumentException("no bootstrap address: give host:port, e.g. 127.0.0.1:25520");
    }
    String first = bootstrap.trim();
    int colon = first.lastIndexOf(':');
    if (colon <= 0 || colon == first.length() - 1) {
      throw new IllegalArgumentException("bootstrap address '" + first + "' is not host:port, e.g. 127.0.0.1:25520");
    }
    try {
      int port = Integer.parseInt(first.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bootstrap address '" + first + "' has no valid port (1-65535)");
    }
    return new String[] {first.substring(0, colon), first.substring(colon + 1)};
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public String bootstrap() {
    return bootstrap;
  }

  /** The bootstrap broker ({@code host:port}) control requests go to now. */
  public String currentBootstrap() {
    String[] all = bootstrap.split(",");
    return all[Math.min(current, all.length - 1)].trim();
  }

  public Duration requestTimeout() {
    return requestTimeout;
  }

  // ---------------------------------------------------------------- control plane

  /**
   * The newest metadata the bootstrap broker pushed, without asking: it pushes every change (a
   * topic created, a broker fenced, a new controller) and answers the client's subscription renewal
   * every 10 s. Empty until the first push arrives; {@link #metadata()} asks.
   */
  public java.util.Optional<MetadataResponse> latestMetadata() {
    return java.util.Optional.ofNullable(pushed.get());
  }

  /**
   * Asks every bootstrap broker at once for its current metadata (which data requests are then
   * routed by) and completes with the first answer, or with the newest metadata this client has
   * if that is newer still; control requests go to the broker that answered first from then on.
   * So a dead bootstrap broker costs nothing here, where asking one after the other would wait out
   * a request timeout for each (Kafka's client asks its least loaded node, and knows a dead one by
   * its closed connection). REQUEST_TIMED_OUT only when none answers within the request timeout.
   */
  public CompletionStage<MetadataResponse> metadata() {
    CompletableFuture<MetadataResponse> first = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger(gateways.size());
    java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
    for (int i = 0; i < gateways.size(); i++) {
      int index = i;
      AskPattern.<GatewayRequest, MetadataResponse>ask(gateways.get(i), GetMetadata::new, requestTimeout,
          system.scheduler()).whenComplete((answer, error) -> {
            if (error == null) {
              install(answer);
              if (answered.compareAndSet(false, true)) {
                current = index; // before the caller sees the answer, so its next request goes there
                first.complete(pushed.get());
              }
            } else if (unanswered.decrementAndGet() == 0) {
              first.completeExceptionally(new TributaryException(ErrorCode.REQUEST_TIMED_OUT, noAnswer()));
            }
          });
    }
    return first;
  }

  /**
   * Keeps metadata newer than what is here, then lets go of every produce and fetch sent to a
   * broker that no longer leads its partition, or that is fenced: each is answered
   * {@code REQUEST_TIMED_OUT} at once (a produce "may or may not have been stored"), so the
   * producer retries it idempotently, and the consumer fetches again, on the new leader instead of
   * waiting out a timeout for an answer a dead broker never sends (Kafka's client learns the same
   * from the closed connection; Artery says nothing). Control requests move off a bootstrap broker
   * the metadata says is fenced.
   */
  private void install(MetadataResponse fresh) {
    MetadataResponse now = pushed.accumulateAndGet(fresh, (old, f) -> old == null || f.supersedes(old) ? f : old);
    java.util.Set<String> fenced = UnansweredRequests.fencedAddresses(now);
    int at = current;
    if (gateways.size() > 1 && fenced.contains(bootstrapAddresses.get(at))) {
      current = nextUnfenced(at, fenced);
    }
    unanswered.releaseDeposedOrFenced(now, fenced);
    groupRequests.release(now);
  }

  /** Creates a topic with the broker's {@code default.replication.factor}. */
  public CompletionStage<AdminResponse> createTopic(String name, int partitions, Map<String, String> configs) {
    return admin(replyTo -> new AdminRequest.CreateTopic(name, partitions, configs, replyTo));
  }

  /** Creates a topic with {@code replicationFactor} copies of each partition, on as many brokers. */
  public CompletionStage<AdminResponse> createTopic(String name, int partitions, int replicationFactor,
      Map<String, String> configs) {
    return admin(replyTo -> new AdminRequest.CreateTopic(name, partitions, replicationFactor, configs, replyTo));
  }

  public CompletionStage<AdminResponse> deleteTopic(String name) {
    return admin(replyTo -> new AdminRequest.DeleteTopic(name, replyTo));
  }

  /** Sets the given topic configs; an empty value resets a key to the broker default. */
  public CompletionStage<AdminResponse> alterConfigs(String name, Map<String, String> configs) {
    return admin(replyTo -> new AdminRequest.AlterConfigs(name, configs, replyTo));
  }

  public CompletionStage<AdminResponse> addPartitions(String name, int partitions) {
    return admin(replyTo -> new AdminRequest.AddPartitions(name, partitions, replyTo));
  }

  private CompletionStage<AdminResponse> admin(
      org.apache.pekko.japi.function.Function<ActorRef<AdminResponse>, GatewayRequest> request) {
    Duration timeout = requestTimeout.multipliedBy(4);
    return this.<AdminResponse>control(request, timeout,
            "no answer from the cluster at " + bootstrap + " within " + timeout.toSeconds() + " s: the change may or"
                + " may not have been made; look (topic describe) before trying again")
        .thenApply(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
          return response;
        });
  }

  /** A producer id unique in the cluster, for an idempotent producer. */
  public CompletionStage<Long> initProducerId() {
    return this.<dev.tributary.protocol.message.ProducerIdResponse>control(
            dev.tributary.protocol.message.InitProducerId::new, requestTimeout, noAnswer())
        .thenApply(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
          return response.producerId();
        });
  }

  /** The consumer groups with committed offsets or live members, in the whole cluster, sorted. */
  public CompletionStage<java.util.List<String>> listGroups() {
    return this.<dev.tributary.protocol.message.ListGroups.GroupList>control(
            dev.tributary.protocol.message.ListGroups::new, requestTimeout, noAnswer())
        .thenApply(dev.tributary.protocol.message.ListGroups.GroupList::groups);
  }

  /**
   * Sends a consumer-group request to the group's coordinator (the leader of its partition of
   * {@code __groups}), and again while the answer says the coordinator moved, up to the request timeout.
   */
  public <R> CompletionStage<R> group(
      org.apache.pekko.japi.function.Function<ActorRef<R>, dev.tributary.protocol.message.GroupRequest> request) {
    return groupRequests.send(request);
  }

  /** An offset of a partition: {@link ListOffsets#EARLIEST}, {@link ListOffsets#LATEST} or a timestamp. */
  public CompletionStage<ListOffsetsResponse> listOffsets(String topic, int partition, long timestamp) {
    return this.<ListOffsetsResponse>control(replyTo -> new ListOffsets(topic, partition, timestamp, replyTo),
            requestTimeout, noAnswer())
        .thenApply(response -> {
          if (response.error() != ErrorCode.NONE) {
            throw new TributaryException(response.error(), response.errorMessage());
          }
          return response;
        });
  }

  // ---------------------------------------------------------------- data plane

  /**
   * How much longer than a produce's timeout the client waits for its answer before reporting it
   * unacknowledged. The broker drops a produce that reaches its partition after the timeout, so by
   * then it is either stored (and its answer lost or late) or never will be.
   */
  public static final Duration NO_ANSWER_GRACE = Duration.ofSeconds(5);

  /**
   * Sends one batch; the reply may carry an error code (it is not turned into an exception). When
   * no answer comes within {@code timeout} plus {@link #NO_ANSWER_GRACE}, the reply is
   * REQUEST_TIMED_OUT: the batch was not acknowledged and may or may not have been stored.
   * Dependent stages run on the client's dispatcher, never on the thread that receives replies.
   */
  public CompletionStage<ProduceResponse> produce(
      String topic, int partition, RecordBatch batch, Acks acks, Duration timeout) {
    return sendProduce(topic, partition, batch, acks, timeout).thenApplyAsync(r -> r, system.executionContext());
  }

  /**
   * {@link #produce}, completing on the client's one reply actor (or a timer thread): for the
   * client's own classes, which only hand the answer on. Anything slow here stalls every reply.
   */
  CompletionStage<ProduceResponse> sendProduce(
      String topic, int partition, RecordBatch batch, Acks acks, Duration timeout) {
    CompletableFuture<DataPlaneMessage> reply = new CompletableFuture<>();
    long id = pending.register(reply);
    @SuppressWarnings("unchecked")
    ActorRef<ProduceResponse> replyTo = (ActorRef<ProduceResponse>) (ActorRef<?>) replies;
    Produce request = new Produce(id, topic, partition, batch.sharedBytes(), acks, (int) timeout.toMillis(), replyTo,
        0, leaderEpochOf(topic, partition));
    MetadataResponse routedBy = pushed.get();
    int via = current;
    unanswered.sent(id, routedBy, topic, partition, bootstrapAddresses.get(via), why -> ProduceResponse.failed(request,
        ErrorCode.REQUEST_TIMED_OUT, why + " while the batch was unanswered; " + NotAcknowledgedException.MAY_OR_MAY_NOT));
    dataGatewayFor(routedBy, topic, partition, via).tell(request);
    Duration wait = timeout.plus(NO_ANSWER_GRACE);
    return reply.orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS)
        .handle((r, e) -> {
          unanswered.answered(id);
          if (e != null) {
            return ProduceResponse.failed(
                new Produce(id, topic, partition, null, acks, 0, replyTo), ErrorCode.REQUEST_TIMED_OUT,
                "no answer from the broker leading " + topic + "-" + partition + " within " + wait.toMillis() + " ms, so the batch for " + topic + "-"
                    + partition + " was not acknowledged; " + NotAcknowledgedException.MAY_OR_MAY_NOT);
          }
          return (ProduceResponse) r;
        });
  }

  /**
   * Fetches stored batches from {@code offset}, waiting up to {@code maxWait} for new data. When no
   * answer comes within {@code maxWait} plus the request timeout, or the metadata moves the
   * partition off the broker it went to (or fences that broker) first, the reply is
   * REQUEST_TIMED_OUT: ask for metadata again and retry. Dependent stages run on the client's
   * dispatcher, never on the thread that receives replies.
   */
  public CompletionStage<FetchResponse> fetch(String topic, int partition, long offset, int maxBytes, Duration maxWait) {
    return sendFetch(topic, partition, offset, maxBytes, maxWait).thenApplyAsync(r -> r, system.executionContext());
  }

  /** {@link #fetch}, completing on the client's one reply actor: see {@link #sendProduce}. */
  CompletionStage<FetchResponse> sendFetch(String topic, int partition, long offset, int maxBytes, Duration maxWait) {
    CompletableFuture<DataPlaneMessage> reply = new CompletableFuture<>();
    long id = pending.register(reply);
    @SuppressWarnings("unchecked")
    ActorRef<FetchResponse> replyTo = (ActorRef<FetchResponse>) (ActorRef<?>) replies;
    Fetch fetch = new Fetch(id, topic, partition, offset, maxBytes, (int) maxWait.toMillis(), replyTo,
        leaderEpochOf(topic, partition));
    MetadataResponse routedBy = pushed.get();
    int via = current;
    unanswered.sent(id, routedBy, topic, partition, bootstrapAddresses.get(via), why -> FetchResponse.failed(fetch,
        ErrorCode.REQUEST_TIMED_OUT, why + " while the fetch was unanswered; retry", -1, -1));
    dataGatewayFor(routedBy, topic, partition, via).tell(fetch);
    return reply.orTimeout(maxWait.toMillis() + requestTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((r, e) -> {
          unanswered.answered(id);
          if (e != null) {
            return FetchResponse.failed(fetch, ErrorCode.REQUEST_TIMED_OUT,
                "no answer from the broker leading " + topic + "-" + partition + " in time; retry", -1, -1);
          }
          return (FetchResponse) r;
        });
  }

  /**
   * The data gateway of the broker leading the partition, by the newest metadata this client has
   * (pushed, or asked for): produce and fetch go straight to the leader, as a Kafka client's do. A
   * broker that does not lead it answers {@code NOT_LEADER}, and callers ask for metadata again
   * ({@link #metadata()}), which updates the routing. Without metadata naming a leader, bootstrap
   * broker {@code bootstrapIndex}'s.
   */
  private ActorRef<GatewayRequest> dataGatewayFor(MetadataResponse known, String topic, int partition, int bootstrapIndex) {
    dev.tributary.protocol.message.TopicMetadata t = known == null ? null : known.topics().get(topic);
    if (t == null || partition < 0 || partition >= t.leaders().size() || t.leaders().get(partition).isEmpty()) {
      return bootstrapDataGateways.get(bootstrapIndex);
    }
    return dataGateways.computeIfAbsent(t.leaders().get(partition), leader -> {
      org.apache.pekko.actor.Address address = org.apache.pekko.actor.AddressFromURIString.parse(leader);
      return ActorRefResolver.get(system).resolveActorRef(
          Tributary.dataGatewayPath(address.getHost().get(), (Integer) address.getPort().get()));
    });
  }

  /**
   * The partition's leader epoch in the newest metadata here, sent with produce and fetch so a
   * deposed leader or one that is behind refuses them; {@link Produce#ANY_EPOCH} when unknown.
   */
  private int leaderEpochOf(String topic, int partition) {
    MetadataResponse known = pushed.get();
    dev.tributary.protocol.message.TopicMetadata t = known == null ? null : known.topics().get(topic);
    return t == null ? Produce.ANY_EPOCH
        : t.partition(partition).map(dev.tributary.protocol.message.PartitionInfo::leaderEpoch).orElse(Produce.ANY_EPOCH);
  }

  private String noAnswer() {
    return "no answer from the cluster at " + bootstrap + ": is a broker running there?";
  }

  /**
   * Asks the current bootstrap broker's control gateway; an answer that does not come in time is
   * {@code REQUEST_TIMED_OUT} with {@code noAnswer}, and the next request goes to the next
   * bootstrap broker (when several were given).
   */
  private <T> CompletionStage<T> control(
      org.apache.pekko.japi.function.Function<ActorRef<T>, GatewayRequest> request, Duration timeout, String noAnswer) {
    ActorRef<GatewayRequest> to = gateway();
    return AskPattern.<GatewayRequest, T>ask(to, request::apply, timeout, system.scheduler()).handle((value, error) -> {
      if (error == null) {
        return value;
      }
      Throwable cause = Failures.cause(error);
      if (cause instanceof TimeoutException) {
        nextBootstrap(to);
        throw new TributaryException(ErrorCode.REQUEST_TIMED_OUT, noAnswer);
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new java.util.concurrent.CompletionException(cause);
    });
  }

  @Override
  public void close() {
    pending.failAll(new TributaryException(ErrorCode.BROKER_NOT_AVAILABLE, "the client is closed"));
    reconnectors.forEach(r -> r.tell(BrokerReconnector.STOP));
    metadataWatcher.tell(MetadataWatcher.STOP);
    if (ownsSystem) {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // shutting down anyway
      }
    }
  }
}
