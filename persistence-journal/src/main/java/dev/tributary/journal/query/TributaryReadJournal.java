package dev.tributary.journal.query;

import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.PayloadSerializer;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.LogTruncatedException;
import dev.tributary.journal.segment.StorageEngine;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.EventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;

/**
 * The read journal (Java API). Live queries wait for the engine's append signal of their
 * persistence id, so a new event is delivered as soon as it is written, with no polling interval.
 * A live query fails with {@link LogTruncatedException} when its log is truncated below what it
 * delivered ({@code StorageEngine.truncateTo}): the sequence numbers it would read next then
 * belong to other events.
 *
 * <pre>{@code
 * TributaryReadJournal journal = PersistenceQuery.get(system)
 *     .getReadJournalFor(TributaryReadJournal.class, TributaryReadJournal.IDENTIFIER);
 * }</pre>
 */
public final class TributaryReadJournal
    implements ReadJournal, EventsByPersistenceIdQuery, CurrentEventsByPersistenceIdQuery {

  /** The config path of this read journal's plugin. */
  public static final String IDENTIFIER = "tributary.journal.query-plugin";

  private final StorageEngine engine;
  private final PayloadSerializer serializer;
  private final int batchSize;

  TributaryReadJournal(ExtendedActorSystem system) {
    JournalExtension extension = JournalExtension.get(system);
    this.engine = extension.engine();
    this.serializer = new PayloadSerializer(system);
    this.batchSize = extension.settings().queryBatchSize();
  }

  /** Events from {@code fromSequenceNr} to {@code toSequenceNr}, then every new one as it is written. */
  @Override
  public Source<EventEnvelope, NotUsed> eventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return events(persistenceId, fromSequenceNr, toSequenceNr, true);
  }

  /** Events stored when the stream starts, up to {@code toSequenceNr}; then the stream completes. */
  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return Source.lazyCompletionStageSource(() ->
            engine.highestSequenceNr(persistenceId).thenApply(highest ->
                events(persistenceId, fromSequenceNr, Math.min(toSequenceNr, highest), false)))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /**
   * Where a stream is: the next sequence number to read, and whether it has delivered the one
   * before it (a stream asked to start above the log's end has not, and simply waits).
   */
  private record Position(long next, boolean delivered) {}

  private Source<EventEnvelope, NotUsed> events(
      String persistenceId, long fromSequenceNr, long toSequenceNr, boolean live) {
    return Source.unfoldAsync(
            new Position(Math.max(1, fromSequenceNr), false),
            position -> step(persistenceId, position, toSequenceNr, live))
        .mapConcat(batch -> batch);
  }

  private CompletionStage<Optional<Pair<Position, List<EventEnvelope>>>> step(
      String persistenceId, Position position, long to, boolean live) {
    long next = position.next();
    if (next > to) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    // The highest sequence number is read first, on the log's serial queue, so the read after it
    // sees every entry up to it: anything newer fires the append signal we wait for.
    return engine.highestSequenceNr(persistenceId).thenCompose(highest -> {
      if (position.delivered() && next - 1 > highest) {
        // The log was truncated below what this stream delivered (between our reads, so no
        // waiter was there to fail): the numbers after it will name other events. Fail, do not
        // skip them.
        return engine.logInfo(persistenceId).thenCompose(info -> CompletableFuture.failedFuture(
            new LogTruncatedException(persistenceId, info.logEndOffset(), info.highestSequenceNr())));
      }
      return read(persistenceId, next, to).thenCompose(batch -> {
        if (!batch.isEmpty()) {
          long last = batch.get(batch.size() - 1).sequenceNr();
          return CompletableFuture.completedFuture(
              Optional.of(Pair.create(new Position(last + 1, true), batch)));
        }
        if (!live) {
          return CompletableFuture.completedFuture(Optional.empty());
        }
        // After the highest read (not next - 1, which may be past the end): fails with
        // LogTruncatedException if the log was truncated since, or is while we wait.
        return engine.awaitAppendAfter(persistenceId, highest)
            .thenCompose(ignored -> step(persistenceId, position, to, true));
      });
    });
  }

  private CompletionStage<List<EventEnvelope>> read(String persistenceId, long from, long to) {
    List<EventEnvelope> batch = new ArrayList<>();
    return engine
        .replay(persistenceId, from, to, batchSize, entry -> batch.add(toEnvelope(persistenceId, entry)))
        .thenApply(done -> batch);
  }

  private EventEnvelope toEnvelope(String persistenceId, JournalEntry entry) {
    ByteBuffer payload = entry.payload();
    byte[] bytes = new byte[payload.remaining()];
    payload.duplicate().get(bytes);
    Object event = serializer.deserialize(entry.serializerId(), entry.manifest(), bytes);
    Option<Object> metadata = entry.metadata().isPresent()
        ? Option.apply(serializer.deserialize(entry.metadata().get()))
        : Option.empty();
    return new EventEnvelope(Offset.sequence(entry.sequenceNr()), persistenceId,
        entry.sequenceNr(), event, entry.timestamp(), metadata);
  }
}
