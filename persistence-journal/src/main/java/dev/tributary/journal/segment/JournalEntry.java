package dev.tributary.journal.segment;

import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * One stored event: its sequence number, the Pekko metadata needed to deserialize it, and the
 * serialized payload. Immutable; the payload buffer is read-only and must not be changed by the
 * caller after handing the entry to the engine.
 *
 * @param sequenceNr the Pekko sequence number, increasing within a persistence id
 * @param endOfAtomicWrite true on the last entry of an atomic write: recovery never keeps part of
 *     an atomic write
 * @param offsets record-batch facts, or {@code null} for ordinary events
 * @param timestamp write timestamp, epoch milliseconds
 * @param serializerId Pekko serializer id of the payload
 * @param manifest serializer manifest of the payload (may be empty)
 * @param writerUuid the writing actor incarnation's uuid
 * @param adapterManifest the event adapter's manifest (Pekko's {@code PersistentRepr.manifest})
 * @param metadata optional Pekko event metadata, serialized
 * @param payload the serialized event
 */
public record JournalEntry(
    long sequenceNr,
    boolean endOfAtomicWrite,
    OffsetInfo offsets,
    long timestamp,
    int serializerId,
    String manifest,
    String writerUuid,
    String adapterManifest,
    Optional<SerializedValue> metadata,
    ByteBuffer payload) {

  public JournalEntry {
    if (sequenceNr < 1) {
      throw new IllegalArgumentException("sequenceNr must be >= 1, got " + sequenceNr);
    }
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(writerUuid, "writerUuid");
    Objects.requireNonNull(adapterManifest, "adapterManifest");
    Objects.requireNonNull(metadata, "metadata");
    payload = payload.asReadOnlyBuffer();
  }

  public boolean hasOffsets() {
    return offsets != null;
  }

  /** A copy with the end-of-atomic-write flag set as given. */
  public JournalEntry withEndOfAtomicWrite(boolean end) {
    return new JournalEntry(
        sequenceNr, end, offsets, timestamp, serializerId, manifest, writerUuid, adapterManifest,
        metadata, payload);
  }

  /** A value serialized by Pekko serialization: serializer id, manifest and bytes. */
  public record SerializedValue(int serializerId, String manifest, byte[] bytes) {
    public SerializedValue {
      Objects.requireNonNull(manifest, "manifest");
      Objects.requireNonNull(bytes, "bytes");
    }
  }
}
