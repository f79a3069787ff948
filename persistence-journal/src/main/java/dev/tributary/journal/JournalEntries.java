package dev.tributary.journal;

import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.JournalEntry.SerializedValue;
import dev.tributary.journal.segment.OffsetInfo;
import dev.tributary.journal.segment.StorageEngine;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The one way events become {@link JournalEntry} objects: the journal plugin turns each atomic
 * write of a persistent actor into entries here, and a writer that appends to the {@link
 * StorageEngine} itself (a follower replica storing its copies) builds them here too, so what it
 * writes is what the plugin would have written for the same events: same serializer id, manifest,
 * payload bytes, offsets info, adapter manifest and end-of-atomic-write mark. Replay, the read
 * journal and recovery then read both alike. Thread-safe.
 */
public final class JournalEntries {

  private final PayloadSerializer serializer;
  private final Clock clock;

  public JournalEntries(PayloadSerializer serializer, Clock clock) {
    this.serializer = serializer;
    this.clock = clock;
  }

  /**
   * The entries of one atomic write, as the journal plugin stores it.
   *
   * @throws NotSerializableException when an event or its metadata cannot be serialized: the
   *     plugin rejects that write alone
   */
  public List<JournalEntry> of(AtomicWrite write) throws NotSerializableException {
    List<PersistentRepr> reprs = CollectionConverters.asJava(write.payload());
    List<JournalEntry> entries = new ArrayList<>(reprs.size());
    for (int i = 0; i < reprs.size(); i++) {
      PersistentRepr repr = reprs.get(i);
      Optional<SerializedValue> metadata = Optional.empty();
      if (repr.metadata().isDefined()) {
        metadata = Optional.of(serializer.serialize(repr.metadata().get()));
      }
      entries.add(entry(repr.payload(), repr.sequenceNr(), i == reprs.size() - 1, repr.timestamp(),
          repr.writerUuid(), repr.manifest(), metadata));
    }
    return entries;
  }

  /**
   * The entries of one atomic write of {@code events}, numbered from {@code firstSequenceNr} on,
   * as the plugin stores a {@code persist} of that list by a persistent actor without event
   * adapters or metadata (Pekko gives such events the adapter manifest "" and no timestamp, so
   * the write's time is taken here, as the plugin takes it).
   *
   * @param writerUuid the writer incarnation's id, as Pekko's writer uuid
   * @throws NotSerializableException when an event cannot be serialized
   */
  public List<JournalEntry> of(List<?> events, long firstSequenceNr, String writerUuid)
      throws NotSerializableException {
    List<JournalEntry> entries = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      entries.add(entry(events.get(i), firstSequenceNr + i, i == events.size() - 1, 0, writerUuid, "",
          Optional.empty()));
    }
    return entries;
  }

  private JournalEntry entry(Object event, long sequenceNr, boolean endOfAtomicWrite, long timestamp,
      String writerUuid, String adapterManifest, Optional<SerializedValue> metadata)
      throws NotSerializableException {
    SerializedValue payload = serializer.serialize(event);
    OffsetInfo offsets = null;
    if (event instanceof OffsetRange batch) {
      offsets = new OffsetInfo(
          batch.baseOffset(), batch.recordCount(), batch.maxTimestamp(), batch.leaderEpoch());
    }
    return new JournalEntry(
        sequenceNr,
        endOfAtomicWrite,
        offsets,
        timestamp > 0 ? timestamp : clock.millis(),
        payload.serializerId(),
        payload.manifest(),
        writerUuid,
        adapterManifest,
        metadata,
        ByteBuffer.wrap(payload.bytes()));
  }
}
