package dev.tributary.protocol.record;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.xerial.snappy.SnappyInputStream;
import org.xerial.snappy.SnappyOutputStream;

/**
 * The codecs of a record batch's records, by the id Kafka gives them in the batch attributes'
 * lowest three bits. Each writes and reads the stream format Kafka's clients use, through the same
 * libraries: the JDK's gzip, xerial's snappy stream, an LZ4 frame with independent 64 KiB blocks
 * (lz4-java), and a zstd frame (zstd-jni). Compression covers the records only; the batch header
 * stays readable, so the broker reads and stamps it without decompressing.
 */
public enum Compression {
  NONE(0), GZIP(1), SNAPPY(2), LZ4(3), ZSTD(4);

  /** Kafka's attribute bits for the codec. */
  public static final int CODEC_MASK = 0x07;

  /**
   * The most a batch's records may decompress to: 8 times the largest batch the broker takes
   * (Kafka's producer fills batches by their compressed size, so the records of one can be several
   * times larger), low enough that a small batch of zeros cannot exhaust the heap.
   */
  public static final int MAX_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

  private final int id;

  Compression(int id) {
    this.id = id;
  }

  public int id() {
    return id;
  }

  /** The name as Kafka's {@code compression.type} spells it. */
  public String kafkaName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws CorruptRecordException for an id no codec has (5, 6, 7) */
  public static Compression forId(int id) {
    for (Compression c : values()) {
      if (c.id == id) {
        return c;
      }
    }
    throw new CorruptRecordException("unknown compression codec " + id + " in the batch attributes (bits 0-2):"
        + " known are 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd");
  }

  /** @throws IllegalArgumentException naming the known codecs, for a setting's value */
  public static Compression parse(String name) {
    for (Compression c : values()) {
      if (c.kafkaName().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + name + "': use none, gzip, snappy, lz4 or zstd");
  }

  /** The records, compressed with this codec (as they are, for {@link #NONE}). */
  public byte[] compress(byte[] records, int offset, int length) {
    if (this == NONE) {
      return java.util.Arrays.copyOfRange(records, offset, offset + length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 2));
    try (OutputStream compressing = compressing(out)) {
      compressing.write(records, offset, length);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot " + kafkaName() + "-compress a batch", e);
    }
    return out.toByteArray();
  }

  /**
   * The records of a batch compressed with this codec.
   *
   * @throws CorruptRecordException when they do not decompress, or exceed {@link #MAX_DECOMPRESSED_BYTES}
   */
  public byte[] decompress(byte[] compressed, int offset, int length) {
    if (this == NONE) {
      return java.util.Arrays.copyOfRange(compressed, offset, offset + length);
    }
    try (InputStream in = decompressing(new ByteArrayInputStream(compressed, offset, length))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(256, length * 4));
      byte[] chunk = new byte[16 * 1024];
      for (int n = in.read(chunk); n != -1; n = in.read(chunk)) {
        if (out.size() + n > MAX_DECOMPRESSED_BYTES) {
          throw new CorruptRecordException("the batch's " + kafkaName() + " records decompress to more than "
              + MAX_DECOMPRESSED_BYTES + " bytes: send smaller batches");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (CorruptRecordException e) {
      throw e;
    } catch (VirtualMachineError fatal) {
      throw fatal;
    } catch (Throwable e) { // the codecs' own errors too (snappy-java throws SnappyError, an Error)
      throw new CorruptRecordException("the batch's records do not " + kafkaName() + "-decompress: " + e);
    }
  }

  private OutputStream compressing(OutputStream out) throws IOException {
    return switch (this) {
      case GZIP -> new GZIPOutputStream(out, 8 * 1024);
      case SNAPPY -> new SnappyOutputStream(out);
      // Kafka's reader decompresses each block on its own, so the blocks must be independent.
      case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB, -1L,
          LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE);
      case ZSTD -> new ZstdOutputStreamNoFinalizer(out);
      case NONE -> throw new IllegalStateException("uncompressed records never reach a codec stream");
    };
  }

  private InputStream decompressing(InputStream in) throws IOException {
    return switch (this) {
      case GZIP -> new GZIPInputStream(in, 8 * 1024);
      case SNAPPY -> new SnappyInputStream(in);
      case LZ4 -> new LZ4FrameInputStream(in);
      case ZSTD -> new ZstdInputStreamNoFinalizer(in);
      case NONE -> throw new IllegalStateException("uncompressed records never reach a codec stream");
    };
  }
}
