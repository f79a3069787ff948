package dev.tributary.journal;

import dev.tributary.journal.segment.StorageEngine;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;
import org.apache.pekko.actor.ExtensionIdProvider;

/**
 * The one storage engine of an actor system, shared by the journal, the snapshot store, the read
 * journal and (through {@link #engine()}) the broker's raw reads, retention and followers' copies.
 * Closed cleanly in coordinated shutdown, before the actor system terminates.
 */
public final class JournalExtension implements Extension {

  private static final Id ID = new Id();

  private final JournalSettings settings;
  private final Executor ioExecutor;
  private final StorageEngine engine;
  private final JournalEntries entries;

  private JournalExtension(ExtendedActorSystem system) {
    this.settings = JournalSettings.fromRoot(system.settings().config());
    this.ioExecutor = system.dispatchers().lookup(JournalSettings.IO_DISPATCHER);
    this.engine = new StorageEngine(settings.storage(), ioExecutor, Clock.systemUTC());
    this.entries = new JournalEntries(new PayloadSerializer(system), Clock.systemUTC());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "tributary-journal-close",
            () -> CompletableFuture.supplyAsync(() -> {
              engine.close();
              return Done.getInstance();
            }));
  }

  public static JournalExtension get(ActorSystem system) {
    return ID.get(system);
  }

  public StorageEngine engine() {
    return engine;
  }

  /**
   * How events become the engine's entries: the journal plugin's way, for a writer that appends
   * to {@link #engine()} itself and must store what the plugin would have.
   */
  public JournalEntries entries() {
    return entries;
  }

  public JournalSettings settings() {
    return settings;
  }

  /** The dispatcher for blocking file I/O. */
  public Executor ioExecutor() {
    return ioExecutor;
  }

  private static final class Id extends AbstractExtensionId<JournalExtension>
      implements ExtensionIdProvider {
    @Override
    public JournalExtension createExtension(ExtendedActorSystem system) {
      return new JournalExtension(system);
    }

    @Override
    public Id lookup() {
      return ID;
    }
  }
}
