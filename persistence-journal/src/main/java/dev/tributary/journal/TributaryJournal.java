package dev.tributary.journal;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.StorageEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko journal plugin over the {@link StorageEngine}. It only routes: it serializes on the
 * plugin actor's thread and hands the bytes to the engine, whose per-id serial queue does the file
 * work on the I/O dispatcher. Events implementing {@link OffsetRange} are stored as record batches;
 * {@link JournalEntries} builds the entries.
 */
public final class TributaryJournal extends AsyncWriteJournal {

  private final StorageEngine engine;
  private final JournalEntries entries;
  private final PayloadSerializer serializer;

  public TributaryJournal(Config pluginConfig) {
    JournalExtension journal = JournalExtension.get(context().system());
    this.engine = journal.engine();
    this.entries = journal.entries();
    this.serializer = new PayloadSerializer(context().system());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<CompletableFuture<Optional<Exception>>> results = new ArrayList<>();
    for (AtomicWrite write : messages) {
      List<JournalEntry> built;
      try {
        built = entries.of(write);
      } catch (Exception rejected) {
        results.add(CompletableFuture.completedFuture(Optional.of(rejected)));
        continue;
      }
      results.add(
          engine.append(write.persistenceId(), built)
              .<Optional<Exception>>thenApply(ok -> Optional.empty())
              .toCompletableFuture());
    }
    return FutureConverters.asScala(
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
            .thenApply(ok -> {
              List<Optional<Exception>> outcome = new ArrayList<>(results.size());
              results.forEach(r -> outcome.add(r.join()));
              return (Iterable<Optional<Exception>>) outcome;
            }));
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return FutureConverters.asScala(engine.deleteTo(persistenceId, toSequenceNr));
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
      Consumer<PersistentRepr> replayCallback) {
    return FutureConverters.asScala(
        engine.replay(persistenceId, fromSequenceNr, toSequenceNr, max,
            entry -> replayCallback.accept(toRepr(persistenceId, entry))));
  }

  private PersistentRepr toRepr(String persistenceId, JournalEntry entry) {
    ByteBuffer payload = entry.payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    Object event = serializer.deserialize(entry.serializerId(), entry.manifest(), bytes);
    PersistentRepr repr =
        PersistentRepr.apply(event, entry.sequenceNr(), persistenceId, entry.adapterManifest(),
                false, ActorRef.noSender(), entry.writerUuid())
            .withTimestamp(entry.timestamp());
    if (entry.metadata().isPresent()) {
      repr = repr.withMetadata(serializer.deserialize(entry.metadata().get()));
    }
    return repr;
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return FutureConverters.asScala(engine.highestSequenceNr(persistenceId));
  }
}
