package dev.tributary.admin;

import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The admin API's one producer, created on the first produce over HTTP (it leases a producer id
 * from the cluster, so not at start-up). Linger 0: an HTTP request's records go out at once.
 * Request and delivery timeout are the client's request timeout ({@code tributary.admin.request-timeout}),
 * so every record's outcome is known (stored, refused, or not acknowledged) within about that
 * long, before the HTTP request times out, and what the route answers is final.
 */
final class LazyProducer implements Supplier<Producer> {

  private final TributaryClient client;
  private volatile Producer producer;

  LazyProducer(TributaryClient client) {
    this.client = client;
  }

  @Override
  public Producer get() {
    Producer p = producer;
    if (p == null) {
      synchronized (this) {
        p = producer;
        if (p == null) {
          p = new Producer(client, ProducerSettings.defaults().withLinger(Duration.ZERO)
              .withRequestTimeout(client.requestTimeout()).withDeliveryTimeout(client.requestTimeout()));
          producer = p;
        }
      }
    }
    return p;
  }
}
