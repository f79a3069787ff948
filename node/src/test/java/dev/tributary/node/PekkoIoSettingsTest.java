package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/**
 * The broker's reference.conf overrides Pekko's own defaults, which is order-sensitive: it holds
 * only while the node's configuration comes before pekko-actor's on the classpath.
 */
class PekkoIoSettingsTest {

  @Test
  void aKafkaFetchAnswerGoesToTheSocketInOneWrite() {
    Config config = ConfigFactory.load();
    assertEquals(1024L * 1024, config.getBytes("pekko.io.tcp.direct-buffer-size"),
        "a 1 MiB fetch answer should be one buffer, not eight of Pekko's 128 KiB");
    assertEquals(64, config.getInt("pekko.io.tcp.direct-buffer-pool-limit"));
  }
}
