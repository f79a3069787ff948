package dev.tributary.journal.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.apache.pekko.util.ByteString;

/**
 * The on-disk entry format. All integers big-endian.
 *
 * <pre>
 *  0  int32  frame length      bytes after this field (CRC included)
 *  4  int32  CRC32C            over every byte after this field
 *  8  int64  sequence number
 * 16  int8   flags             1 = end of atomic write, 2 = record batch, 4 = has metadata
 * 17  int64  base offset       -1 unless a record batch
 * 25  int32  record count
 * 29  int64  max timestamp     of the batch's records, epoch ms
 * 37  int32  leader epoch
 * 41  int64  timestamp         write time, epoch ms
 * 49  int32  serializer id
 * 53  int16+bytes  manifest (UTF-8)
 *     int16+bytes  writer uuid (UTF-8)
 *     int16+bytes  event adapter manifest (UTF-8)
 *     [metadata: int32 serializer id, int16+bytes manifest, int32+bytes value]
 *     int32+bytes  payload
 * </pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class EntryCodec {

  public static final byte FLAG_END_OF_ATOMIC_WRITE = 1;
  public static final byte FLAG_HAS_OFFSETS = 2;
  public static final byte FLAG_HAS_METADATA = 4;

  /** Bytes of the fixed header, length prefix and CRC included. */
  public static final int HEADER_SIZE = 53;

  /** Bytes before the CRC'd region: the length prefix and the CRC itself. */
  static final int PREFIX_SIZE = 8;

  private EntryCodec() {}

  /** The number of bytes {@link #encode} writes for this entry. */
  public static int encodedSize(JournalEntry entry) {
    long size =
        HEADER_SIZE
            + 2L + utf8Length(entry.manifest())
            + 2L + utf8Length(entry.writerUuid())
            + 2L + utf8Length(entry.adapterManifest())
            + 4L + entry.payload().remaining();
    if (entry.metadata().isPresent()) {
      JournalEntry.SerializedValue meta = entry.metadata().get();
      size += 4 + 2 + utf8Length(meta.manifest()) + 4 + meta.bytes().length;
    }
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("entry of " + size + " bytes is too large to store");
    }
    return (int) size;
  }

  /** Writes the entry at {@code out}'s position and advances it. */
  public static void encode(JournalEntry entry, ByteBuffer out) {
    int start = out.position();
    int total = encodedSize(entry);
    byte flags = 0;
    if (entry.endOfAtomicWrite()) flags |= FLAG_END_OF_ATOMIC_WRITE;
    if (entry.hasOffsets()) flags |= FLAG_HAS_OFFSETS;
    if (entry.metadata().isPresent()) flags |= FLAG_HAS_METADATA;

    out.putInt(total - 4);
    out.putInt(0); // CRC, filled in below
    out.putLong(entry.sequenceNr());
    out.put(flags);
    OffsetInfo offsets = entry.offsets();
    out.putLong(offsets == null ? -1 : offsets.baseOffset());
    out.putInt(offsets == null ? 0 : offsets.recordCount());
    out.putLong(offsets == null ? -1 : offsets.maxTimestamp());
    out.putInt(offsets == null ? 0 : offsets.leaderEpoch());
    out.putLong(entry.timestamp());
    out.putInt(entry.serializerId());
    putShortString(out, entry.manifest());
    putShortString(out, entry.writerUuid());
    putShortString(out, entry.adapterManifest());
    if (entry.metadata().isPresent()) {
      JournalEntry.SerializedValue meta = entry.metadata().get();
      out.putInt(meta.serializerId());
      putShortString(out, meta.manifest());
      out.putInt(meta.bytes().length);
      out.put(meta.bytes());
    }
    ByteBuffer payload = entry.payload().duplicate();
    out.putInt(payload.remaining());
    out.put(payload);

    CRC32C crc = new CRC32C();
    crc.update(out.duplicate().position(start + PREFIX_SIZE).limit(start + total));
    out.putInt(start + 4, (int) crc.getValue());
  }

  /**
   * Reads the fixed header of the entry at {@code pos}, or returns null when the bytes there cannot
   * be an entry (a length that is too small, too large, or past {@code limit}).
   */
  public static EntryHeader readHeader(ByteBuffer buf, int pos, int maxEntryBytes) {
    if (buf.limit() - pos < HEADER_SIZE) {
      return null;
    }
    int frameLength = buf.getInt(pos);
    if (frameLength < HEADER_SIZE - 4 + 2 + 2 + 2 + 4 || frameLength > maxEntryBytes) {
      return null;
    }
    return new EntryHeader(
        frameLength + 4,
        buf.getInt(pos + 4),
        buf.getLong(pos + 8),
        buf.get(pos + 16),
        buf.getLong(pos + 17),
        buf.getInt(pos + 25),
        buf.getLong(pos + 29),
        buf.getInt(pos + 37),
        buf.getLong(pos + 41));
  }

  /** Whether the CRC stored in the entry at {@code pos} matches its bytes. */
  public static boolean crcMatches(ByteBuffer buf, int pos, EntryHeader header) {
    CRC32C crc = new CRC32C();
    crc.update(buf.duplicate().limit(pos + header.totalSize()).position(pos + PREFIX_SIZE));
    return (int) crc.getValue() == header.crc();
  }

  /**
   * The payload of the whole entry at {@code pos}, sharing {@code buf}'s bytes (no copy when
   * {@code buf} has an array): {@code buf} must never change afterwards.
   *
   * @throws IOException when the payload's length does not fit in the entry: raw reads check no
   *     CRC, and a view past the entry (which {@code ByteString} would not refuse) must not leave
   */
  public static ByteString payloadBytes(ByteBuffer buf, int pos, EntryHeader header) throws IOException {
    int p = pos + HEADER_SIZE;
    p += 2 + Short.toUnsignedInt(buf.getShort(p)); // manifest
    p += 2 + Short.toUnsignedInt(buf.getShort(p)); // writer uuid
    p += 2 + Short.toUnsignedInt(buf.getShort(p)); // adapter manifest
    if ((header.flags() & FLAG_HAS_METADATA) != 0) {
      p += 4;
      p += 2 + Short.toUnsignedInt(buf.getShort(p));
      p += 4 + buf.getInt(p);
    }
    int length = buf.getInt(p);
    int start = p + 4;
    if (length < 0 || start + (long) length > pos + (long) header.totalSize()) {
      throw new IOException("corrupt entry " + header.sequenceNr() + ": a payload of " + length
          + " bytes at byte " + (start - pos) + " does not fit in its " + header.totalSize() + "-byte entry");
    }
    return buf.hasArray()
        ? ByteString.fromArrayUnsafe(buf.array(), buf.arrayOffset() + start, length)
        : ByteString.fromByteBuffer(buf.duplicate().position(start).limit(start + length));
  }

  /** Decodes the whole entry at {@code pos}; the CRC must already have been checked. */
  public static JournalEntry decode(ByteBuffer buf, int pos, EntryHeader header) {
    ByteBuffer in = buf.duplicate().position(pos + HEADER_SIZE).limit(pos + header.totalSize());
    int serializerId = buf.getInt(pos + 49);
    String manifest = getShortString(in);
    String writerUuid = getShortString(in);
    String adapterManifest = getShortString(in);
    Optional<JournalEntry.SerializedValue> metadata = Optional.empty();
    if ((header.flags() & FLAG_HAS_METADATA) != 0) {
      int metaSerializer = in.getInt();
      String metaManifest = getShortString(in);
      byte[] metaBytes = new byte[in.getInt()];
      in.get(metaBytes);
      metadata = Optional.of(new JournalEntry.SerializedValue(metaSerializer, metaManifest, metaBytes));
    }
    byte[] payload = new byte[in.getInt()];
    in.get(payload);
    OffsetInfo offsets =
        header.hasOffsets()
            ? new OffsetInfo(
                header.baseOffset(), header.recordCount(), header.maxTimestamp(), header.leaderEpoch())
            : null;
    return new JournalEntry(
        header.sequenceNr(),
        header.endOfAtomicWrite(),
        offsets,
        header.timestamp(),
        serializerId,
        manifest,
        writerUuid,
        adapterManifest,
        metadata,
        ByteBuffer.wrap(payload));
  }

  private static int utf8Length(String s) {
    int length = s.getBytes(StandardCharsets.UTF_8).length;
    if (length > 0xFFFF) {
      throw new IllegalArgumentException(
          "a manifest or writer uuid of " + length + " bytes is over the 65535-byte limit");
    }
    return length;
  }

  private static void putShortString(ByteBuffer out, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) bytes.length);
    out.put(bytes);
  }

  private static String getShortString(ByteBuffer in) {
    byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
