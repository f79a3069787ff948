import com.typesafe.config.ConfigFactory;
import dev.tributary.client.TributaryClient;
import java.util.concurrent.TimeUnit;

/**
 * Where a short command's time goes (docs/BENCHMARKS.md, "CLI start-up"): the steps of a
 * {@code topic list}, each timed from inside the JVM; the JVM's own start is the time from the
 * process's start to {@code main}. Compile and run against the built jars:
 *
 * <pre>
 * javac -d /tmp/breakdown -cp "node/target/tributary-node-0.1.0-SNAPSHOT.jar:node/target/lib/*" bench/CliStartupBreakdown.java
 * java [JVM options] -cp "/tmp/breakdown:node/target/tributary-node-0.1.0-SNAPSHOT.jar:node/target/lib/*" \
 *     CliStartupBreakdown 127.0.0.1:27620 [cli]
 * </pre>
 *
 * With {@code cli}, the client starts as the command line's does (TributaryClient.connectForCommandLine).
 */
public final class CliStartupBreakdown {
  public static void main(String[] args) throws Exception {
    long main = System.currentTimeMillis();
    StringBuilder out = new StringBuilder();
    long t = System.nanoTime();
    org.slf4j.LoggerFactory.getLogger(CliStartupBreakdown.class); // as TributaryCli.main does first
    t = step(out, "logging (logback)", t);
    ConfigFactory.parseResources("tributary-client.conf").withFallback(ConfigFactory.load()).resolve();
    t = step(out, "configuration (every reference.conf)", t);
    boolean cli = args.length > 1 && args[1].equals("cli");
    // By name, so this also runs against jars from before connectForCommandLine.
    TributaryClient client = (TributaryClient) TributaryClient.class
        .getMethod(cli ? "connectForCommandLine" : "connect", String.class).invoke(null, args[0]);
    t = step(out, "actor system with Artery" + (cli ? " (with the TCP probe)" : ""), t);
    client.metadata().toCompletableFuture().get(30, TimeUnit.SECONDS);
    t = step(out, "first metadata request (connection, handshakes, serializer)", t);
    client.metadata().toCompletableFuture().get(30, TimeUnit.SECONDS);
    t = step(out, "second metadata request", t);
    client.close();
    t = step(out, "close (actor system terminated)", t);
    out.append("main to exit: ").append(System.currentTimeMillis() - main).append(" ms\n");
    System.err.print(out);
    System.exit(0);
  }

  private static long step(StringBuilder out, String name, long since) {
    long now = System.nanoTime();
    out.append(name).append(": ").append((now - since) / 1_000_000).append(" ms\n");
    return now;
  }
}
