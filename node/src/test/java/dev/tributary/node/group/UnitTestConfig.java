package dev.tributary.node.group;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;

/**
 * An actor system for one actor's behaviour: local (no cluster, no port), with the persistence
 * testkit's in-memory journal and snapshot store instead of the Tributary journal, and the test
 * settings of {@code application.conf} (every message serialized).
 */
final class UnitTestConfig {

  static Config get() {
    return ConfigFactory.parseString("pekko.actor.provider = local")
        .withFallback(EventSourcedBehaviorTestKit.config())
        .withFallback(ConfigFactory.load());
  }

  private UnitTestConfig() {}
}
