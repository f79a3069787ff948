package dev.tributary.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;

/** The configuration the TCK suites run our plugins with: a real journal in a temporary directory. */
final class TckConfig {

  private TckConfig() {}

  static Config forDirectory(Path dir) {
    return ConfigFactory.parseString(
            """
            pekko.persistence.journal.plugin = "tributary.journal.plugin"
            pekko.persistence.snapshot-store.plugin = "tributary.journal.snapshot-plugin"
            pekko.actor.allow-java-serialization = off
            pekko.actor.warn-about-java-serializer-usage = off
            pekko.loglevel = WARNING
            tributary.journal.fsync = always
            """)
        .withValue("tributary.journal.dir", ConfigValueFactory.fromAnyRef(dir.toString()));
  }
}
