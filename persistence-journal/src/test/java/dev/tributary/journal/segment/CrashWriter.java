package dev.tributary.journal.segment;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * The child process of {@link CrashTest}: appends to a log with {@code fsync = always} until it is
 * killed, with several writes in flight (so group commit is in play), and prints {@code ack <last
 * sequence number of the write>} for each completed write, in order.
 */
public final class CrashWriter {

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String pid = args[1];
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.ALWAYS).withSegmentBytes(256 * 1024);
    StorageEngine engine = new StorageEngine(config, Executors.newFixedThreadPool(2), Clock.systemUTC());
    Random random = new Random();
    Semaphore inFlight = new Semaphore(16);
    long seq = 1;
    long offset = 0;
    System.out.println("ready");
    System.out.flush();
    while (true) {
      int entries = 1 + random.nextInt(3);
      List<JournalEntry> write = new ArrayList<>();
      for (int i = 0; i < entries; i++) {
        write.add(Entries.batch(seq, offset, 1, System.currentTimeMillis(), 16 + random.nextInt(2048)));
        seq++;
        offset++;
      }
      long last = seq - 1;
      inFlight.acquire();
      engine.append(pid, write).whenComplete((ok, error) -> {
        inFlight.release();
        if (error == null) {
          // one println per ack: the test parses whole lines
          System.out.println("ack " + last);
          System.out.flush();
        } else {
          System.out.println("failed " + last + " " + error);
          System.out.flush();
        }
      });
    }
  }
}
