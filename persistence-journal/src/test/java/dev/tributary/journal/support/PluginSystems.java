package dev.tributary.journal.support;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import org.apache.pekko.actor.ActorSystem;

/** Actor systems that use our plugins on a given data directory. */
public final class PluginSystems {

  private PluginSystems() {}

  public static Config config(Path dataDir, String fsync) {
    return ConfigFactory.parseString(
            """
            pekko.persistence.journal.plugin = "tributary.journal.plugin"
            pekko.persistence.snapshot-store.plugin = "tributary.journal.snapshot-plugin"
            pekko.actor.allow-java-serialization = off
            pekko.actor.serializers.batch = "dev.tributary.journal.support.BatchEventSerializer"
            pekko.actor.serialization-bindings."dev.tributary.journal.support.BatchEvent" = batch
            pekko.loglevel = WARNING
            pekko.stdout-loglevel = WARNING
            """)
        .withValue("tributary.journal.dir", ConfigValueFactory.fromAnyRef(dataDir.toString()))
        .withValue("tributary.journal.fsync", ConfigValueFactory.fromAnyRef(fsync))
        .withFallback(ConfigFactory.load());
  }

  public static ActorSystem start(String name, Path dataDir, String fsync) {
    return ActorSystem.create(name, config(dataDir, fsync));
  }
}
