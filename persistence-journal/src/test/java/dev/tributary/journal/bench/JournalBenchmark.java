package dev.tributary.journal.bench;

import dev.tributary.journal.JournalExtension;
import dev.tributary.journal.TestDirectories;
import dev.tributary.journal.segment.FsyncPolicy;
import dev.tributary.journal.segment.JournalEntry;
import dev.tributary.journal.segment.OffsetInfo;
import dev.tributary.journal.segment.RawBatch;
import dev.tributary.journal.segment.StorageConfig;
import dev.tributary.journal.segment.StorageEngine;
import dev.tributary.journal.support.BatchEvent;
import dev.tributary.journal.support.BatchWriter;
import dev.tributary.journal.support.PluginSystems;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.pattern.Patterns;

/**
 * The journal benchmark: engine append throughput (100 B entries in writes of 1,000; 64 KiB
 * entries) under fsync=never and fsync=always, the same through the Pekko plugin, sequential raw
 * reads, and recovery of a 1 GiB active segment after a crash. Every case runs twice and the second
 * run is reported (the first warms the JIT). Run through {@code bench/journal.sh}.
 */
public final class JournalBenchmark {

  private static final int IN_FLIGHT = Integer.getInteger("bench.inFlight", 64);
  private static final String WRITER = "bench-writer-0000-0000-000000000000";

  private final Path root;

  private JournalBenchmark(Path root) {
    this.root = root;
  }

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "bench-data").toAbsolutePath();
    Files.createDirectories(root);
    String only = args.length > 1 ? args[1] : "all";
    JournalBenchmark bench = new JournalBenchmark(root);
    System.out.printf("journal benchmark in %s, %d cores, java %s%n", root,
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    if (only.equals("all") || only.equals("engine")) {
      for (FsyncPolicy fsync : List.of(FsyncPolicy.NEVER, FsyncPolicy.ALWAYS)) {
        bench.twice(() -> bench.engineAppend(fsync, 100, 1000, 3_000_000));
        bench.twice(() -> bench.engineAppend(fsync, 64 * 1024, 1, 16_384));
      }
    }
    if (only.equals("all") || only.equals("plugin")) {
      bench.twice(() -> bench.pluginAppend(16_384));
    }
    if (only.equals("all") || only.equals("read")) {
      bench.twice(() -> bench.rawRead(16_384, 1 << 20));
    }
    if (only.equals("all") || only.equals("recovery")) {
      bench.twice(() -> bench.recovery(1L << 30));
    }
  }

  private interface Case {
    String run() throws Exception;
  }

  private void twice(Case c) throws Exception {
    c.run();
    System.out.println(c.run());
    System.out.flush();
  }

  private Path fresh(String name) {
    Path dir = root.resolve(name);
    TestDirectories.deleteRecursively(dir);
    return dir;
  }

  private static JournalEntry entry(long seq, long offset, ByteBuffer payload) {
    return new JournalEntry(seq, false, new OffsetInfo(offset, 1, seq, 0), seq, 4, "", WRITER, "",
        Optional.empty(), payload);
  }

  /** Appends {@code total} entries of {@code payloadBytes} in writes of {@code perWrite}. */
  private String engineAppend(FsyncPolicy fsync, int payloadBytes, int perWrite, long total) throws Exception {
    Path dir = fresh("engine");
    ExecutorService io = Executors.newFixedThreadPool(4);
    StorageConfig config = StorageConfig.defaults(dir).withFsync(fsync);
    ByteBuffer payload = ByteBuffer.allocate(payloadBytes);
    long bytes = 0;
    long start;
    long elapsed;
    try (StorageEngine engine = new StorageEngine(config, io, Clock.systemUTC())) {
      engine.highestSequenceNr("bench-0").toCompletableFuture().get(); // recover before timing
      Semaphore inFlight = new Semaphore(IN_FLIGHT);
      List<CompletionStage<Void>> last = new ArrayList<>();
      start = System.nanoTime();
      long seq = 1;
      while (seq <= total) {
        List<JournalEntry> write = new ArrayList<>(perWrite);
        for (int i = 0; i < perWrite && seq <= total; i++, seq++) {
          write.add(entry(seq, seq - 1, payload));
          bytes += payloadBytes;
        }
        inFlight.acquire();
        CompletionStage<Void> done = engine.append("bench-0", write).whenComplete((ok, e) -> inFlight.release());
        if (seq > total) {
          last.add(done);
        }
      }
      inFlight.acquire(IN_FLIGHT);
      elapsed = System.nanoTime() - start;
    } finally {
      io.shutdownNow();
    }
    TestDirectories.deleteRecursively(dir);
    double seconds = elapsed / 1e9;
    return String.format(Locale.ROOT,
        "engine append %s entries, %d per write, fsync=%s: %,d entries in %.2f s = %,.0f entries/s, %.0f MB/s of payload",
        size(payloadBytes), perWrite, fsync.name().toLowerCase(Locale.ROOT), total, seconds,
        total / seconds, bytes / seconds / 1e6);
  }

  /** One persistent actor persisting 64 KiB batch events, 16 per persistAll. */
  private String pluginAppend(int events) throws Exception {
    Path dir = fresh("plugin");
    ActorSystem system = PluginSystems.start("bench", dir, "never");
    try {
      ActorRef writer = system.actorOf(BatchWriter.props("plugin-0"));
      byte[] records = new byte[64 * 1024 - 20];
      int perWrite = 16;
      Patterns.ask(writer, new BatchWriter.Write(List.of(new BatchEvent(0, 1, 0, records))), Duration.ofSeconds(30))
          .toCompletableFuture().get();
      long start = System.nanoTime();
      List<CompletionStage<Object>> replies = new ArrayList<>();
      long offset = 1;
      for (int w = 0; w < events / perWrite; w++) {
        List<BatchEvent> batch = new ArrayList<>(perWrite);
        for (int i = 0; i < perWrite; i++) {
          batch.add(new BatchEvent(offset++, 1, System.currentTimeMillis(), records));
        }
        replies.add(Patterns.ask(writer, new BatchWriter.Write(batch), Duration.ofMinutes(5)));
      }
      for (CompletionStage<Object> r : replies) {
        r.toCompletableFuture().get();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long bytes = (long) events * 64 * 1024;
      return String.format(Locale.ROOT,
          "plugin persistAll 64 KiB events, 16 per write, fsync=never: %,d events in %.2f s = %,.0f events/s, %.0f MB/s",
          events, seconds, events / seconds, bytes / seconds / 1e6);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      TestDirectories.deleteRecursively(dir);
    }
  }

  /** Writes {@code entries} 64 KiB entries, then reads them all through the raw read API. */
  private String rawRead(int entries, int maxBytes) throws Exception {
    Path dir = fresh("read");
    ExecutorService io = Executors.newFixedThreadPool(4);
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.NEVER);
    try (StorageEngine engine = new StorageEngine(config, io, Clock.systemUTC())) {
      ByteBuffer payload = ByteBuffer.allocate(64 * 1024);
      for (int seq = 1; seq <= entries; seq += 16) {
        List<JournalEntry> write = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          write.add(entry(seq + i, seq + i - 1, payload));
        }
        engine.append("read-0", write).toCompletableFuture().get();
      }
      long start = System.nanoTime();
      long offset = 0;
      long bytes = 0;
      while (offset < entries) {
        List<RawBatch> read = engine.readRaw("read-0", offset, Long.MAX_VALUE, maxBytes).toCompletableFuture().get();
        for (RawBatch b : read) {
          bytes += b.payload().remaining();
        }
        offset = read.get(read.size() - 1).nextOffset();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return String.format(Locale.ROOT,
          "raw read 64 KiB entries, max %s per read, page cache: %.2f GB in %.2f s = %.2f GB/s",
          size(maxBytes), bytes / 1e9, seconds, bytes / seconds / 1e9);
    } finally {
      io.shutdownNow();
      TestDirectories.deleteRecursively(dir);
    }
  }

  /** Fills one active segment with {@code bytes} of 4 KiB entries, crashes, times the recovery. */
  private String recovery(long bytes) throws Exception {
    Path dir = fresh("recovery");
    StorageConfig config = StorageConfig.defaults(dir).withFsync(FsyncPolicy.NEVER).withSegmentBytes(4L << 30);
    ExecutorService io = Executors.newFixedThreadPool(4);
    StorageEngine crashed = new StorageEngine(config, io, Clock.systemUTC());
    ByteBuffer payload = ByteBuffer.allocate(4096);
    long seq = 1;
    long written = 0;
    while (written < bytes) {
      List<JournalEntry> write = new ArrayList<>(256);
      for (int i = 0; i < 256; i++, seq++) {
        write.add(entry(seq, seq - 1, payload));
        written += 4096;
      }
      crashed.append("recover-0", write).toCompletableFuture().get();
    }
    io.shutdownNow(); // a crash: no index written, no clean-shutdown marker
    io.awaitTermination(10, TimeUnit.SECONDS);
    long segmentBytes = Files.size(dir.resolve("recover-0").resolve("00000000000000000001.log"));
    ExecutorService io2 = Executors.newFixedThreadPool(4);
    try (StorageEngine engine = new StorageEngine(config, io2, Clock.systemUTC())) {
      long start = System.nanoTime();
      long highest = engine.highestSequenceNr("recover-0").toCompletableFuture().get();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (highest != seq - 1) {
        throw new IllegalStateException("recovered " + highest + ", expected " + (seq - 1));
      }
      return String.format(Locale.ROOT,
          "recovery of a %.2f GiB active segment (%,d entries of 4 KiB) after a crash: %.2f s",
          segmentBytes / (double) (1L << 30), highest, seconds);
    } finally {
      io2.shutdownNow();
      TestDirectories.deleteRecursively(dir);
    }
  }

  private static String size(int bytes) {
    return bytes >= 1024 ? (bytes / 1024) + " KiB" : bytes + " B";
  }
}
