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
 * A child JVM appends with {@code fsync = always} and prints each acknowledged write; it is killed
 * with SIGKILL at a random moment. After recovery every acknowledged write is there, whole.
 */
class CrashTest {

  private static final String PID = "crash-0";

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
    Random random = new Random();
    for (int round = 0; round < 3; round++) {
      Path data = dir.resolve("round-" + round);
      long acknowledged = runAndKill(data, 200 + random.nextInt(3000));
      assertTrue(acknowledged > 0, "the writer acknowledged nothing before it was killed");
      try (EngineFixture fixture = EngineFixture.in(data)) {
        List<JournalEntry> replayed = new ArrayList<>();
        await(fixture.engine().replay(PID, 1, Long.MAX_VALUE, Long.MAX_VALUE, replayed::add));
        assertTrue(replayed.size() >= acknowledged,
            "acknowledged up to " + acknowledged + " but recovered only " + replayed.size());
        for (int i = 0; i < replayed.size(); i++) {
          assertEquals(i + 1L, replayed.get(i).sequenceNr(), "no gaps");
          assertEquals(i + 1L, Entries.sequenceOf(replayed.get(i).payload()));
        }
        LogInfo info = await(fixture.engine().logInfo(PID));
        assertEquals(replayed.size(), info.logEndOffset(), "offsets are dense");
      }
    }
  }

  /** Starts the writer, kills it with SIGKILL after {@code acks} acknowledgements, returns the last acked. */
  private static long runAndKill(Path data, int acks) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
            CrashWriter.class.getName(), data.toString(), PID)
        .redirectErrorStream(false)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    long lastAck = 0;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int seen = 0;
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("ack ")) {
          lastAck = Long.parseLong(line.substring(4).trim());
          if (++seen == acks) {
            // SIGKILL: no shutdown hooks, no clean close. Sent with kill(1) rather than
            // destroyForcibly(), which would also close our end of the pipe: the acks the child
            // printed before it died must still be read.
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
          }
        } else if (line.startsWith("failed")) {
          throw new AssertionError("the writer reported a failed write: " + line);
        }
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
    }
    return lastAck;
  }
}
