package dev.tributary.journal.segment;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes, and closes the files of, segments that one log no longer holds (deleted by retention,
 * removed or replaced by a truncation). Readers may still hold them, so their files are closed only after
 * {@code file-delete-delay}, when those reads are done.
 *
 * <p>Threading: any thread.
 */
final class RetiredSegments {

  private static final Logger log = LoggerFactory.getLogger(RetiredSegments.class);

  private final String persistenceId;
  private final ScheduledExecutorService scheduler;
  private final Duration delay;

  RetiredSegments(String persistenceId, ScheduledExecutorService scheduler, Duration delay) {
    this.persistenceId = persistenceId;
    this.scheduler = scheduler;
    this.delay = delay;
  }

  /**
   * Deletes the files of segments the log no longer holds (retention, a deletion below an offset)
   * and makes that durable with an fsync of {@code dir}; their open files close after the delay.
   */
  void delete(List<Segment> segments, java.nio.file.Path dir) throws IOException {
    for (Segment s : segments) {
      log.info("Log {}: deleting segment {}", persistenceId, s.file().getFileName());
      s.deleteFiles();
    }
    closeLater(segments); // readers may still hold them
    LogFiles.fsyncDirectory(dir);
  }

  /** Closes the segments' files after the delay, with one task. */
  void closeLater(List<Segment> segments) {
    scheduler.schedule(() -> segments.forEach(this::closeQuietly), delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Closes the segment's file now; a failure costs one WARN line. */
  void closeQuietly(Segment segment) {
    try {
      segment.close();
    } catch (IOException e) {
      log.warn("Log {}: could not close deleted segment {}", persistenceId, segment.file(), e);
    }
  }
}
