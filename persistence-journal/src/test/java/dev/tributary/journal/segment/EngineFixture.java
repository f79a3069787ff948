package dev.tributary.journal.segment;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real storage engine on a test directory, with a manual clock, that can be closed cleanly,
 * abandoned as a crash would leave it, and reopened on the same files.
 */
final class EngineFixture implements AutoCloseable {

  final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final List<ExecutorService> executors = new ArrayList<>();
  private final FileOps fileOps;
  private StorageConfig config;
  private StorageEngine engine;

  EngineFixture(StorageConfig config) {
    this(config, FileOps.DIRECT);
  }

  /** An engine whose segment writes, fsyncs and truncations go through {@code fileOps}. */
  EngineFixture(StorageConfig config, FileOps fileOps) {
    this.config = config;
    this.fileOps = fileOps;
    this.engine = start();
  }

  static EngineFixture in(Path dir) {
    return new EngineFixture(StorageConfig.defaults(dir));
  }

  StorageEngine engine() {
    return engine;
  }

  StorageConfig config() {
    return config;
  }

  /** Closes cleanly and opens the same directory again. */
  StorageEngine reopen() {
    engine.close();
    engine = start();
    return engine;
  }

  /** Reopens with other settings. */
  StorageEngine reopen(StorageConfig newConfig) {
    engine.close();
    config = newConfig;
    engine = start();
    return engine;
  }

  /**
   * Leaves the engine without closing it (no indexes written, no clean-shutdown marker), as a
   * crash would, and opens the directory again.
   */
  StorageEngine crashAndReopen() {
    executors.get(executors.size() - 1).shutdownNow();
    engine = start();
    return engine;
  }

  private StorageEngine start() {
    ExecutorService io = Executors.newFixedThreadPool(2);
    executors.add(io);
    return new StorageEngine(config, io, clock, fileOps);
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new AssertionError(cause);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    engine.close();
    executors.forEach(ExecutorService::shutdownNow);
  }
}
