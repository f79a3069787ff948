package dev.tributary.admin;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /metrics}: the broker's registry in Prometheus text format (written by the client library). */
final class MetricsRoute extends AllDirectives {

  private final PrometheusRegistry registry;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  MetricsRoute(PrometheusRegistry registry) {
    this.registry = registry;
  }

  Route route() {
    return path("metrics", () -> get(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
      try {
        writer.write(out, registry.scrape());
      } catch (IOException e) {
        throw new IllegalStateException("could not write metrics", e);
      }
      // text/plain; version=0.0.4 is what Prometheus scrapes; the charset is UTF-8.
      return complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, out.toByteArray()));
    }));
  }
}
