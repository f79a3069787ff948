package dev.tributary.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tributary.journal.query.TributaryReadJournal;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.LogTruncatedException;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.journal.support.BatchEvent;
import dev.tributary.journal.support.BatchEventSerializer;
import dev.tributary.journal.support.BatchWriter;
import dev.tributary.journal.support.PluginSystems;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins in a real actor system on a real disk. */
class PluginIntegrationTest {

  @TempDir Path dir;
  private ActorSystem system;

  @BeforeEach
  void start() {
    system = PluginSystems.start("plugin-test", dir, "always");
  }

  @AfterEach
  void stop() {
    TestKit.shutdownActorSystem(system);
  }

  private static BatchEvent batch(long base, int count, long maxTs) {
    byte[] records = new byte[count * 10];
    for (int i = 0; i < records.length; i++) {
      records[i] = (byte) (base + i);
    }
    return new BatchEvent(base, count, maxTs, records);
  }

  private void persist(ActorRef writer, List<?> events) {
    TestKit probe = new TestKit(system);
    writer.tell(new BatchWriter.Write(events), probe.getRef());
    probe.expectMsgClass(Duration.ofSeconds(10), BatchWriter.Written.class);
  }

  @Test
  void eventsThatAreRecordBatchesAreServedByOffsetWithoutDeserializing() throws Exception {
    ActorRef writer = system.actorOf(BatchWriter.props("clicks-0"));
    persist(writer, List.of(batch(0, 3, 100), batch(3, 2, 200)));
    persist(writer, List.of(batch(5, 4, 300)));

    var engine = JournalExtension.get(system).engine();
    List<RawBatch> read =
        engine.readRaw("clicks-0", 4, Long.MAX_VALUE, 1 << 20).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(List.of(3L, 5L), read.stream().map(RawBatch::baseOffset).toList());
    byte[] expected = new BatchEventSerializer().toBinary(batch(3, 2, 200));
    ByteBuffer payload = read.get(0).payload();
    byte[] actual = new byte[payload.remaining()];
    payload.get(actual);
    assertArrayEquals(expected, actual, "the stored payload is the serializer's bytes, untouched");
    assertEquals(5L, engine.offsetForTimestamp("clicks-0", 250).toCompletableFuture().get().getAsLong());
  }

  @Test
  void aLiveQueryDeliversAnEventAppendedAfterItStartedWithNoPollingInterval() throws Exception {
    ActorRef writer = system.actorOf(BatchWriter.props("live-1"));
    persist(writer, List.of("first"));
    TributaryReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(TributaryReadJournal.class, TributaryReadJournal.IDENTIFIER);
    SinkQueueWithCancel<EventEnvelope> queue =
        journal.eventsByPersistenceId("live-1", 0, Long.MAX_VALUE).runWith(Sink.queue(), system);
    assertEquals("first", queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS).get().event());

    // The stream may be waiting on the append signal or still reading when "second" lands: either
    // way it must deliver it, and with no polling at all a missed signal would never complete.
    // (StorageEngineTest.awaitAppendAfterCompletesWhenAWriteLands pins the wake-up itself.)
    var next = queue.pull().toCompletableFuture();
    persist(writer, List.of("second"));
    EventEnvelope envelope = next.get(10, TimeUnit.SECONDS).get();
    assertEquals("second", envelope.event());
    assertEquals(2L, envelope.sequenceNr());
    queue.cancel();
  }

  @Test
  void aLiveQueryFailsWhenItsLogIsTruncatedBelowWhatItDelivered() throws Exception {
    ActorRef writer = system.actorOf(BatchWriter.props("truncated-4"));
    persist(writer, List.of(batch(0, 3, 100), batch(3, 2, 200)));
    TributaryReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(TributaryReadJournal.class, TributaryReadJournal.IDENTIFIER);
    SinkQueueWithCancel<EventEnvelope> queue =
        journal.eventsByPersistenceId("truncated-4", 0, Long.MAX_VALUE).runWith(Sink.queue(), system);
    assertEquals(1L, queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS).get().sequenceNr());
    assertEquals(2L, queue.pull().toCompletableFuture().get(10, TimeUnit.SECONDS).get().sequenceNr());
    var next = queue.pull().toCompletableFuture();
    var engine = JournalExtension.get(system).engine();
    assertEquals(3L, engine.truncateTo("truncated-4", 3).toCompletableFuture().get(10, TimeUnit.SECONDS));
    ExecutionException e = assertThrows(ExecutionException.class, () -> next.get(10, TimeUnit.SECONDS));
    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
    assertTrue(cause instanceof LogTruncatedException, "failed with " + cause);
  }

  @Test
  void aCurrentQueryCompletesAfterTheStoredEvents() throws Exception {
    ActorRef writer = system.actorOf(BatchWriter.props("current-2"));
    persist(writer, List.of("a", "b"));
    persist(writer, List.of("c"));
    TributaryReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(TributaryReadJournal.class, TributaryReadJournal.IDENTIFIER);
    List<Object> events = journal.currentEventsByPersistenceId("current-2", 2, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals(List.of("b", "c"), events);
  }

  /**
   * Entries a writer builds with {@link JournalEntries} and appends to the engine itself are what
   * the plugin writes for a persistent actor's {@code persistAll} of the same events, field for
   * field but the write time and writer uuid, and the read journal serves them alike.
   */
  @Test
  void entriesAppendedDirectlyAreWhatThePluginWritesForTheSameEvents() throws Exception {
    List<Object> events = List.of(batch(0, 3, 100), "between", batch(3, 2, 200));
    persist(system.actorOf(BatchWriter.props("by-plugin")), events);
    var engine = JournalExtension.get(system).engine();
    engine.append("direct", JournalExtension.get(system).entries().of(events, 1, "a-writer"))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    List<JournalEntry> byPlugin = replay(engine, "by-plugin");
    List<JournalEntry> direct = replay(engine, "direct");
    assertEquals(3, byPlugin.size());
    for (int i = 0; i < byPlugin.size(); i++) {
      JournalEntry p = byPlugin.get(i);
      JournalEntry d = direct.get(i);
      assertEquals(p.sequenceNr(), d.sequenceNr());
      assertEquals(p.endOfAtomicWrite(), d.endOfAtomicWrite());
      assertEquals(p.offsets(), d.offsets());
      assertEquals(p.serializerId(), d.serializerId());
      assertEquals(p.manifest(), d.manifest());
      assertEquals(p.adapterManifest(), d.adapterManifest());
      assertEquals(p.metadata().isPresent(), d.metadata().isPresent());
      assertEquals(p.payload(), d.payload(), "entry " + i + ": the same payload bytes");
      assertTrue(d.timestamp() > 0);
    }
    assertEquals("a-writer", direct.get(0).writerUuid());
    TributaryReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(TributaryReadJournal.class, TributaryReadJournal.IDENTIFIER);
    List<Object> read = journal.currentEventsByPersistenceId("direct", 0, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), system)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
    assertEquals("between", read.get(1));
    assertEquals(3L, ((BatchEvent) read.get(2)).baseOffset());
  }

  private static List<JournalEntry> replay(StorageEngine engine, String persistenceId) throws Exception {
    List<JournalEntry> out = new java.util.concurrent.CopyOnWriteArrayList<>();
    engine.replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE, out::add)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    return out;
  }
}
