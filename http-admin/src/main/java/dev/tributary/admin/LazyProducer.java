package dev.tributary.admin;

import dev.tributary.client.Producer;
import dev.tributary.client.ProducerSettings;
import dev.tributary.client.TributaryClient;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The admin API's one producer, created on the first produce over HTTP (it leases a producer id
 * from the cluster, so not at start-up). Linger 0: an HTTP request's records go out at once.
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
          p = new Producer(client, ProducerSettings.defaults().withLinger(Duration.ZERO));
          producer = p;
        }
      }
    }
    return p;
  }
}
