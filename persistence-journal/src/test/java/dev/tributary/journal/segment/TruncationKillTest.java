package dev.tributary.journal.segment;

import static dev.tributary.journal.segment.EngineFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As {@link CrashTest}, with truncations: a child JVM ({@link TruncatingCrashWriter}) appends and
 * truncates with {@code fsync = always} and is killed with SIGKILL at a random moment. The
 * recovered log is exactly what the completed operations left, or what the one under way at the
 * kill leaves: never part of a write, never a truncated tail mixed with later writes.
 */
class TruncationKillTest {

  private static final String PID = "kill-0";

  @TempDir Path dir;

  /** One stored batch as the test models it: sequence number, offsets and generation. */
  record Batch(long seq, long base, int count, long generation) {}

  /** The log after an operation: a write appends its batches, a truncation cuts as the engine does. */
  static List<Batch> apply(List<Batch> log, String op) {
    String[] f = op.split(" ");
    List<Batch> next = new ArrayList<>(log);
    if (f[0].equals("write")) {
      long generation = Long.parseLong(f[1]);
      for (int i = 2; i < f.length; i++) {
        String[] b = f[i].split(":");
        next.add(new Batch(Long.parseLong(b[0]), Long.parseLong(b[1]), Integer.parseInt(b[2]), generation));
      }
    } else {
      long offset = Long.parseLong(f[1]);
      next.removeIf(b -> b.base() + b.count() > offset);
    }
    return next;
  }

  @Test
  void aKillDuringAppendsAndTruncationsLeavesACompletedStateOrTheNextOne() throws Exception {
    Random random = new Random();
    for (int round = 0; round < 3; round++) {
      Path data = dir.resolve("round-" + round);
      List<String> ops = new ArrayList<>();
      String pending = runAndKill(data, 100 + random.nextInt(400), ops);
      List<Batch> completed = new ArrayList<>();
      for (String op : ops) {
        completed = apply(completed, op);
      }
      try (EngineFixture fixture = EngineFixture.in(data)) {
        List<Batch> recovered = new ArrayList<>();
        await(fixture.engine().replay(PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, e -> recovered.add(
            new Batch(e.sequenceNr(), e.offsets().baseOffset(), e.offsets().recordCount(),
                e.payload().getLong(e.payload().position() + 8)))));
        List<Batch> next = pending == null ? completed : apply(completed, pending);
        assertTrue(recovered.equals(completed) || recovered.equals(next),
            "round " + round + ": recovered " + tail(recovered) + " but the completed operations left "
                + tail(completed) + " and the one under way (" + pending + ") " + tail(next));
        long end = recovered.isEmpty() ? 0 : recovered.get(recovered.size() - 1).base()
            + recovered.get(recovered.size() - 1).count();
        long highest = recovered.isEmpty() ? 0 : recovered.get(recovered.size() - 1).seq();
        assertEquals(highest, await(fixture.engine().highestSequenceNr(PID)));
        await(fixture.engine().append(PID,
            List.of(TruncatingCrashWriter.entry(highest + 1, end, 1, 99, true))));
      }
    }
  }

  private static String tail(List<Batch> log) {
    return log.size() <= 3 ? log.toString()
        : "(" + log.size() + " batches) ..." + log.subList(log.size() - 3, log.size());
  }

  /**
   * Runs the writer until {@code operations} completed, kills it, and collects the completed
   * operations into {@code ops}; returns the one it had begun and not finished, or null.
   */
  private static String runAndKill(Path data, int operations, List<String> ops) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
            TruncatingCrashWriter.class.getName(), data.toString(), PID)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String begun = null;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("write ") || line.startsWith("truncate ")) {
          begun = line;
        } else if (line.equals("done")) {
          ops.add(begun);
          begun = null;
          if (ops.size() == operations) {
            // kill(1), not destroyForcibly(): the lines printed before death must still be read.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
          }
        }
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
    }
    assertTrue(ops.size() >= operations, "the writer stopped after " + ops.size() + " operations");
    return begun;
  }
}
