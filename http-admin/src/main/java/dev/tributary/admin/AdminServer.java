package dev.tributary.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.client.TributaryClient;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Binds the admin API on {@code tributary.admin.interface:port}. */
public final class AdminServer {

  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  private AdminServer() {}

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, AdminSettings settings, TributaryClient client, NodeStatus node,
      io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
    return start(system, settings, client, node, registry, Optional.empty());
  }

  /** {@link #start} serving HTTPS with {@code tls} when given (the broker's --tls-dir), else HTTP. */
  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, AdminSettings settings, TributaryClient client, NodeStatus node,
      io.prometheus.metrics.model.registry.PrometheusRegistry registry, Optional<javax.net.ssl.SSLContext> tls) {
    if (!settings.isLoopback() && settings.token().isEmpty()) {
      log.warn("!!! The admin API is bound to {} WITHOUT a token: anyone who reaches that address can "
          + "create and delete topics. Set tributary.admin.token (TRIBUTARY_ADMIN_TOKEN). !!!", settings.iface());
    }
    // The same ObjectMapper settings as the rest of the system (pekko-serialization-jackson).
    ObjectMapper mapper = JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    AdminRoutes routes = new AdminRoutes(settings, client, node, mapper, registry);
    org.apache.pekko.http.javadsl.ServerBuilder server = Http.get(system).newServerAt(settings.iface(), settings.port());
    if (tls.isPresent()) {
      server = server.enableHttps(org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(tls.get()));
    }
    String scheme = tls.isPresent() ? "https" : "http";
    return server.bind(routes.route())
        .whenComplete((binding, error) -> {
          if (error == null) {
            log.info("Admin API on {}://{}:{}", scheme, settings.iface(), binding.localAddress().getPort());
          } else {
            // A busy port is an expected condition: one line, no stack trace (the broker says it too).
            log.error("The admin API could not bind {}:{}: {}", settings.iface(), settings.port(), error.getMessage());
          }
        });
  }
}
