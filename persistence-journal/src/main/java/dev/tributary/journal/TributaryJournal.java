package dev.tributary.journal;

import com.typesafe.config.Config;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.JournalEntry.SerializedValue;
import dev.tributary.journal.segment.OffsetInfo;
import dev.tributary.journal.segment.StorageEngine;
import java.nio.ByteBuffer;
import java.time.Clock;
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
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

/**
 * The Pekko journal plugin over the {@link StorageEngine}. It only routes: it serializes on the
 * plugin actor's thread and hands the bytes to the engine, whose per-id serial queue does the file
 * work on the I/O dispatcher. Events implementing {@link OffsetRange} are stored as record batches.
 */
public final class TributaryJournal extends AsyncWriteJournal {

  private final StorageEngine engine;
  private final PayloadSerializer serializer;
  private final Clock clock = Clock.systemUTC();

  public TributaryJournal(Config pluginConfig) {
    this.engine = JournalExtension.get(context().system()).engine();
    this.serializer = new PayloadSerializer(context().system());
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    List<CompletableFuture<Optional<Exception>>> results = new ArrayList<>();
    for (AtomicWrite write : messages) {
      List<JournalEntry> entries;
      try {
        entries = toEntries(write);
      } catch (Exception rejected) {
        results.add(CompletableFuture.completedFuture(Optional.of(rejected)));
        continue;
      }
      results.add(
          engine.append(write.persistenceId(), entries)
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

  private List<JournalEntry> toEntries(AtomicWrite write) throws Exception {
    List<PersistentRepr> reprs = CollectionConverters.asJava(write.payload());
    List<JournalEntry> entries = new ArrayList<>(reprs.size());
    for (int i = 0; i < reprs.size(); i++) {
      PersistentRepr repr = reprs.get(i);
      Object event = repr.payload();
      SerializedValue payload = serializer.serialize(event);
      Optional<SerializedValue> metadata = Optional.empty();
      if (repr.metadata().isDefined()) {
        metadata = Optional.of(serializer.serialize(repr.metadata().get()));
      }
      OffsetInfo offsets = null;
      if (event instanceof OffsetRange batch) {
        offsets = new OffsetInfo(
            batch.baseOffset(), batch.recordCount(), batch.maxTimestamp(), batch.leaderEpoch());
      }
      entries.add(new JournalEntry(
          repr.sequenceNr(),
          i == reprs.size() - 1,
          offsets,
          repr.timestamp() > 0 ? repr.timestamp() : clock.millis(),
          payload.serializerId(),
          payload.manifest(),
          repr.writerUuid(),
          repr.manifest(),
          metadata,
          ByteBuffer.wrap(payload.bytes())));
    }
    return entries;
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
