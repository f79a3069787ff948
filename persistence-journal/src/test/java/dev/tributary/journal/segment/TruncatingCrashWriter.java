package dev.tributary.journal.segment;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Executors;

/**
 * The child process of {@link TruncationKillTest}: with {@code fsync = always}, appends atomic
 * writes of one to three batches and every few writes truncates a little of the tail, one
 * operation at a time, until it is killed. Before each operation it prints what it is about to
 * do ({@code write <generation> <seq>:<base>:<count> ...} or {@code truncate <offset>}), and
 * {@code done} once it completed, so the test knows what may and what must have survived.
 * A batch's payload starts with its sequence number and its generation (truncations so far):
 * a sequence number reused after a truncation is told apart from the entry it replaced.
 */
public final class TruncatingCrashWriter {

  static JournalEntry entry(long seq, long base, int count, int generation, boolean endOfWrite) {
    ByteBuffer payload = ByteBuffer.allocate(16 + count * 8);
    payload.putLong(seq).putLong(generation);
    while (payload.hasRemaining()) {
      payload.put((byte) seq);
    }
    return new JournalEntry(seq, endOfWrite, new OffsetInfo(base, count, 1_000 + base, generation),
        1_000 + base, 7, "batch", Entries.WRITER, "", Optional.empty(), payload.flip());
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String pid = args[1];
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.ALWAYS).withSegmentBytes(4 * 1024);
    StorageEngine engine = new StorageEngine(config, Executors.newFixedThreadPool(2), Clock.systemUTC());
    Random random = new Random();
    long seq = 1;
    long offset = 0;
    int generation = 0;
    System.out.println("ready");
    System.out.flush();
    while (true) {
      if (offset > 20 && random.nextInt(4) == 0) {
        long to = offset - 1 - random.nextInt(20);
        System.out.println("truncate " + to);
        System.out.flush();
        offset = engine.truncateTo(pid, to).toCompletableFuture().get();
        seq = engine.highestSequenceNr(pid).toCompletableFuture().get() + 1;
        generation++;
      } else {
        int batches = 1 + random.nextInt(3);
        List<JournalEntry> write = new ArrayList<>();
        StringBuilder line = new StringBuilder("write ").append(generation);
        for (int i = 0; i < batches; i++) {
          int count = 1 + random.nextInt(5);
          write.add(entry(seq, offset, count, generation, i == batches - 1));
          line.append(' ').append(seq).append(':').append(offset).append(':').append(count);
          seq++;
          offset += count;
        }
        System.out.println(line);
        System.out.flush();
        engine.append(pid, write).toCompletableFuture().get();
      }
      System.out.println("done");
      System.out.flush();
    }
  }
}
