package dev.tributary.node.quorum;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * N brokers, each {@code tributary start} in a child JVM of its own, on 127.0.0.1 and ports
 * chosen free when the harness is made (kept across restarts, so a restarted broker comes back
 * on the same addresses): SIGKILL, SIGSTOP/SIGCONT and restarts by broker id, and one-shot CLI
 * commands in child JVMs as a user runs them.
 *
 * <p>Every broker has its own directory under the given (JUnit {@code @TempDir}) directory:
 * {@code broker-<id>/data} for its data and {@code broker-<id>/run-<n>.log} for stdout and stderr
 * of its n-th process. {@link #close()} SIGKILLs every child still running, whatever failed.
 *
 * <pre>{@code
 * try (BrokerProcesses brokers = BrokerProcesses.builder(dir).brokers(3).controllerQuorum(true).fastFailover(true).start()) {
 *   brokers.cli("topic", "create", "t", "--partitions", "3", "--bootstrap", brokers.bootstrap(1));
 * }
 * }</pre>
 */
public final class BrokerProcesses implements AutoCloseable {

  /** How long a broker may take to print "is up on": generous, for two slow shared cores. */
  public static final Duration START_LIMIT = Duration.ofSeconds(90);

  /** Far above what a CLI command takes (its client waits at most 120 s for an admin answer). */
  public static final Duration CLI_LIMIT = Duration.ofSeconds(150);

  /** How often {@link #eventually} tries again. */
  public static final Duration POLL = Duration.ofMillis(200);

  private static final String HOST = "127.0.0.1";
  private static final String CLI_MAIN = "dev.tributary.node.cli.TributaryCli";

  /** Which {@code --seed} flags each broker gets. */
  public enum Seeds {
    /**
     * Broker 0 none (it joins itself), brokers 1..N-1 {@code --seed} broker 0. A broker 0 that
     * restarts while the others run forms a cluster of its own (it has no seed to rejoin by), so
     * this only fits tests that never restart broker 0 alone.
     */
    BROKER_ZERO,
    /**
     * Every broker {@code --seed} every broker, broker 0 first (Pekko's advice: the same seed list
     * everywhere). Broker 0 joins the others when any of them is up, and forms the cluster itself
     * when none is (first start, full-cluster restart); the others wait for whichever seed
     * answers. Any broker can restart alone, and all can start at once.
     */
    ALL
  }

  /** The outcome of a one-shot CLI command. */
  public record Result(List<String> command, int exit, String out, String err) {
    /** The non-blank lines of stdout. */
    public List<String> outLines() {
      return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /** Fails, with the command and its output, unless it exited 0. */
    public Result requireOk() {
      if (exit != 0) {
        throw new AssertionError(this.toString());
      }
      return this;
    }

    @Override
    public String toString() {
      return "tributary " + String.join(" ", command) + " exited " + exit + "\n--- stdout:\n" + out
          + "--- stderr:\n" + tail(err, 40);
    }
  }

  /** An assertion that may throw anything; {@link #eventually} retries it. */
  @FunctionalInterface
  public interface Assertion {
    void check() throws Exception;
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** The flags every broker of the harness is started with. */
  public static final class Builder {
    private final Path dir;
    private int brokers = 1;
    private boolean controllerQuorum;
    private boolean fastFailover;
    private Seeds seeds = Seeds.ALL;
    private String fsync = "always";
    private List<String> jvmOptions = List.of("-Xmx256m", "-XX:+UseSerialGC");
    private final List<String> extraArgs = new ArrayList<>();
    private final Map<String, String> environment = new HashMap<>();

    private Builder(Path dir) {
      this.dir = dir;
    }

    public Builder brokers(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("at least one broker, got " + n);
      }
      this.brokers = n;
      return this;
    }

    /** Pass {@code --controller-voters} (every broker a voter, on a quorum port of its own). */
    public Builder controllerQuorum(boolean on) {
      this.controllerQuorum = on;
      return this;
    }

    /** Pass {@code --failover fast}. */
    public Builder fastFailover(boolean on) {
      this.fastFailover = on;
      return this;
    }

    public Builder seeds(Seeds layout) {
      this.seeds = layout;
      return this;
    }

    /** {@code --fsync}: always (the default here), interval or never; null passes no flag. */
    public Builder fsync(String policy) {
      this.fsync = policy;
      return this;
    }

    /** The broker JVMs' options (default {@code -Xmx256m -XX:+UseSerialGC}). */
    public Builder jvmOptions(String... options) {
      this.jvmOptions = List.of(options);
      return this;
    }

    /** More {@code start} flags, for every broker. */
    /** One more environment variable for every broker process (e.g. KUBERNETES_SERVICE_HOST). */
    public Builder environment(String name, String value) {
      this.environment.put(name, value);
      return this;
    }

    public Builder extraArgs(String... args) {
      this.extraArgs.addAll(List.of(args));
      return this;
    }

    /** Chooses the ports, but starts nothing. */
    public BrokerProcesses build() {
      return new BrokerProcesses(this);
    }

    /** Builds and starts every broker at once, and waits until each is up. */
    public BrokerProcesses start() {
      BrokerProcesses harness = build();
      try {
        harness.startAll();
        return harness;
      } catch (RuntimeException | Error e) {
        harness.close();
        throw e;
      }
    }
  }

  /** One broker: its fixed addresses and directories, and its current process if any. */
  private static final class Node {
    final int id;
    final int port;
    final int adminPort;
    final int quorumPort;
    final int managementPort;
    final int kafkaPort;
    final Path home;
    final Path dataDir;
    Process process;
    Path log;
    int runs;

    Node(int id, int port, int adminPort, int quorumPort, int managementPort, int kafkaPort, Path home) {
      this.id = id;
      this.port = port;
      this.adminPort = adminPort;
      this.quorumPort = quorumPort;
      this.managementPort = managementPort;
      this.kafkaPort = kafkaPort;
      this.home = home;
      this.dataDir = home.resolve("data");
    }
  }

  private final Builder settings;
  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private final List<Process> everyChild = new ArrayList<>();
  private int cliRuns;

  private BrokerProcesses(Builder settings) {
    this.settings = settings;
    this.dir = settings.dir;
    Set<Integer> taken = new HashSet<>();
    for (int id = 0; id < settings.brokers; id++) {
      Path home = dir.resolve("broker-" + id);
      try {
        Files.createDirectories(home);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      nodes.add(new Node(id, freePort(taken), freePort(taken), freePort(taken), freePort(taken),
          freePort(taken), home));
    }
  }

  // ---------------------------------------------------------------- addresses

  public int size() {
    return nodes.size();
  }

  public List<Integer> ids() {
    return IntStream.range(0, nodes.size()).boxed().toList();
  }

  /** {@code 127.0.0.1:<artery port>} of broker {@code id}, for {@code --bootstrap} and clients. */
  public String bootstrap(int id) {
    return HOST + ":" + node(id).port;
  }

  /**
   * Every broker's address, comma-separated for {@code --bootstrap}, the running brokers first: a
   * client asks the first that answers, and a dead first one costs it a request timeout.
   */
  public String bootstrapAll() {
    List<Integer> order = new ArrayList<>(running());
    ids().stream().filter(id -> !order.contains(id)).forEach(order::add);
    return order.stream().map(this::bootstrap).collect(Collectors.joining(","));
  }

  public int port(int id) {
    return node(id).port;
  }

  public int adminPort(int id) {
    return node(id).adminPort;
  }

  public int quorumPort(int id) {
    return node(id).quorumPort;
  }

  /**
   * The port of broker {@code id}'s management server ({@code /ready}, {@code /alive}), unless the
   * {@link Builder#extraArgs} give {@code --management-port} themselves.
   */
  public int managementPort(int id) {
    return node(id).managementPort;
  }

  public Path dataDir(int id) {
    return node(id).dataDir;
  }

  /** The log of broker {@code id}'s current (or last) process; null before its first start. */
  public Path log(int id) {
    return node(id).log;
  }

  /** {@code 0@127.0.0.1:Q0,1@127.0.0.1:Q1,...}, as passed to {@code --controller-voters}. */
  public String voters() {
    return nodes.stream().map(n -> n.id + "@" + HOST + ":" + n.quorumPort).collect(Collectors.joining(","));
  }

  public boolean isRunning(int id) {
    Process p = node(id).process;
    return p != null && p.isAlive();
  }

  public long pid(int id) {
    Node n = node(id);
    if (n.process == null) {
      throw new IllegalStateException("broker " + id + " was never started");
    }
    return n.process.pid();
  }

  /** The ids of the brokers running now. */
  public List<Integer> running() {
    return ids().stream().filter(this::isRunning).toList();
  }

  /** The {@code start} arguments of broker {@code id} (the same on every start). */
  public List<String> startArgs(int id) {
    Node n = node(id);
    List<String> args = new ArrayList<>(List.of("start",
        "--data-dir", n.dataDir.toString(),
        "--node-id", Integer.toString(id),
        "--host", HOST,
        "--port", Integer.toString(n.port),
        "--admin-port", Integer.toString(n.adminPort)));
    if (!settings.extraArgs.contains("--management-port")) { // a test that gives its own keeps it
      args.addAll(List.of("--management-port", Integer.toString(n.managementPort)));
    }
    // A fixed Kafka port too: with port 0, a restarted broker's ephemeral bind could take the fixed
    // admin port of another (or its own) broker in the gap, and that broker would fail to start.
    if (!settings.extraArgs.contains("--kafka-port")) {
      args.addAll(List.of("--kafka-port", Integer.toString(n.kafkaPort)));
    }
    if (settings.fsync != null) {
      args.addAll(List.of("--fsync", settings.fsync));
    }
    if (nodes.size() > 1) {
      for (Node seed : nodes) {
        boolean pass = switch (settings.seeds) {
          case ALL -> true;
          case BROKER_ZERO -> id != 0 && seed.id == 0;
        };
        if (pass) {
          args.addAll(List.of("--seed", HOST + ":" + seed.port));
        }
      }
    }
    if (settings.controllerQuorum) {
      args.addAll(List.of("--controller-voters", voters()));
    }
    if (settings.fastFailover) {
      args.addAll(List.of("--failover", "fast"));
    }
    args.addAll(settings.extraArgs);
    return args;
  }

  // ---------------------------------------------------------------- processes

  /**
   * Broker {@code id}'s pid file, {@code broker-<id>/broker.pid}: written at every start, by this
   * harness or by its {@link #startScript}, for a script that stops brokers itself (SIGTERM to
   * that pid).
   */
  public Path pidFile(int id) {
    return node(id).home.resolve("broker.pid");
  }

  /**
   * Writes {@code broker-<id>/start.sh} and returns it: a shell script that starts broker {@code id}
   * in the background exactly as {@link #start} does (same JVM, flags and addresses, output to the
   * next {@code run-<n>.log}), writes its pid to {@link #pidFile} and returns, for a script that
   * restarts brokers itself. {@link #close} kills what it started, too (found by the pid file).
   */
  public Path startScript(int id) {
    Node n = node(id);
    Path script = n.home.resolve("start.sh");
    String command = brokerCommand(n).stream().map(BrokerProcesses::shellQuoted).collect(Collectors.joining(" "));
    String text = "#!/usr/bin/env bash\n"
        + "# Starts broker " + id + " in the background, as BrokerProcesses.start does.\n"
        + "set -e\n"
        + "cd " + shellQuoted(n.home.toString()) + "\n"
        + settings.environment.entrySet().stream().sorted(Map.Entry.comparingByKey())
            .map(e -> "export " + e.getKey() + "=" + shellQuoted(e.getValue()) + "\n").collect(Collectors.joining())
        + "n=1; while [ -e run-$n.log ]; do n=$((n + 1)); done\n"
        + "printf '%s\\n' " + shellQuoted("$ " + String.join(" ", startArgs(id))) + " > run-$n.log\n"
        + command + " >> run-$n.log 2>&1 < /dev/null &\n"
        + "echo $! > " + shellQuoted(pidFile(id).toString()) + "\n";
    try {
      Files.writeString(script, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return script;
  }

  private static String shellQuoted(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }

  /** The log of broker {@code id}'s {@code n}-th run, started by this harness or by its start script. */
  public Path log(int id, int run) {
    return node(id).home.resolve("run-" + run + ".log");
  }

  /** Starts every broker not running, all at once, and waits until each says it is up. */
  public void startAll() {
    List<Node> toStart = nodes.stream().filter(n -> !isRunning(n.id)).toList();
    for (Node n : toStart) {
      launch(n);
    }
    for (Node n : toStart) {
      awaitUp(n);
    }
  }

  /** Starts broker {@code id} (which must not be running) and waits until it is up. */
  public void start(int id) {
    Node n = node(id);
    if (isRunning(id)) {
      throw new IllegalStateException("broker " + id + " is already running (pid " + n.process.pid() + ")");
    }
    launch(n);
    awaitUp(n);
  }

  /** SIGKILL (kill -9 by pid) and waits until the process is gone. */
  public void kill9(int id) {
    Node n = node(id);
    if (!isRunning(id)) {
      throw new IllegalStateException("broker " + id + " is not running");
    }
    signal("-9", n.process);
    waitForExit(n.process, "broker " + id + " after kill -9");
  }

  /** kill -9 every running broker. */
  public void kill9All() {
    for (int id : running()) {
      kill9(id);
    }
  }

  /**
   * SIGTERM and waits until the process is gone: the broker leaves its cluster and closes its
   * journal (Pekko's coordinated shutdown).
   */
  public void stop(int id) {
    Node n = node(id);
    if (!isRunning(id)) {
      throw new IllegalStateException("broker " + id + " is not running");
    }
    signal("-TERM", n.process);
    waitForExit(n.process, "broker " + id + " after SIGTERM");
  }

  /** SIGSTOP: the broker freezes (no heartbeats, no answers) until {@link #resume}. */
  public void pause(int id) {
    if (!isRunning(id)) {
      throw new IllegalStateException("broker " + id + " is not running");
    }
    signal("-STOP", node(id).process);
  }

  /** SIGCONT after {@link #pause}. */
  public void resume(int id) {
    if (!isRunning(id)) {
      throw new IllegalStateException("broker " + id + " is not running");
    }
    signal("-CONT", node(id).process);
  }

  /** Starts broker {@code id} again with the same arguments (kill -9 first if it still runs). */
  public void restart(int id) {
    if (isRunning(id)) {
      kill9(id);
    }
    start(id);
  }

  /**
   * Starts broker {@code id} again under the same id and addresses on an empty data directory
   * (kill -9 first if it still runs): a replaced disk.
   */
  public void restartOnEmptyDir(int id) {
    if (isRunning(id)) {
      kill9(id);
    }
    deleteTree(node(id).dataDir);
    start(id);
  }

  /**
   * SIGKILLs every child this harness started that still runs, and every broker a {@link
   * #startScript} started, and waits for each.
   */
  @Override
  public void close() {
    List<Throwable> failures = new ArrayList<>();
    List<Process> children;
    synchronized (everyChild) {
      children = List.copyOf(everyChild);
    }
    for (Node n : nodes) {
      fromPidFile(n).ifPresent(broker -> {
        broker.destroyForcibly();
        try {
          broker.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          failures.add(new AssertionError("broker " + n.id + " (pid " + broker.pid() + ") still runs 30 s after SIGKILL", e));
        }
      });
    }
    for (Process p : children) {
      try {
        if (p.isAlive()) {
          p.destroyForcibly(); // SIGKILL: works on a SIGSTOPped process too
        }
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    for (Process p : children) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          failures.add(new AssertionError("pid " + p.pid() + " still runs 30 s after SIGKILL"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      AssertionError e = new AssertionError("closing the brokers");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  // ---------------------------------------------------------------- CLI

  /**
   * {@code tributary <args>} in a child JVM, as a user runs it: its own process, stdout and stderr
   * to files, its exit code. Waits at most {@link #CLI_LIMIT}.
   */
  public Result cli(String... args) {
    return runCli(null, CLI_LIMIT, args);
  }

  /**
   * {@link #cli} with {@code stdin} written to the command's standard input, which is then closed
   * (as {@code echo ... | tributary produce ...}), waiting at most {@code limit}: for {@code produce},
   * whose client may retry a refused record for its whole delivery timeout (120 s) before it fails.
   */
  public Result cliWithInput(String stdin, Duration limit, String... args) {
    return runCli(stdin, limit, args);
  }

  private Result runCli(String stdin, Duration limit, String... args) {
    int run;
    synchronized (this) {
      run = ++cliRuns;
    }
    Path cliDir = dir.resolve("cli");
    try {
      Files.createDirectories(cliDir);
      Path out = cliDir.resolve("cli-" + run + ".out");
      Path err = cliDir.resolve("cli-" + run + ".err");
      List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), CLI_MAIN));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).directory(cliDir.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      track(p);
      try {
        if (stdin != null) {
          try (java.io.OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
          }
        }
        if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
          throw new AssertionError("tributary " + String.join(" ", args) + " still runs after " + limit
              + "; stderr: " + tail(Files.readString(err), 40));
        }
        return new Result(List.of(args), p.exitValue(), Files.readString(out), Files.readString(err));
      } finally {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        untrack(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running tributary " + String.join(" ", args), e);
    }
  }

  /**
   * {@code tributary <args>} in this JVM, through {@code TributaryCli.run}: no JVM start-up (a
   * second or more on slow cores), for polls that must see a short-lived state, such as a broker
   * fenced while it is paused. Waits as long as the command does.
   *
   * <p>For a handful of calls, not for polling loops: every call creates and terminates a
   * {@code TributaryClient} (an actor system), and each one that opened an Artery connection
   * leaves about 4.6 MiB of direct buffers reachable in this JVM after it terminated (Pekko Artery
   * keeps them; {@code System.gc()} does not free them). Polled every 200 ms that exhausts the
   * test JVM's 1 GiB of direct memory in about a minute ({@code OutOfMemoryError: Cannot reserve
   * ... bytes of direct buffer memory}). To poll, keep one {@code TributaryClient} open for the
   * test and ask it ({@code metadata()}, {@code listOffsets(...)}), as ReplicationFailoverTest does.
   */
  public static Result cliInProcess(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int exit;
    try (java.io.PrintWriter o = new java.io.PrintWriter(out); java.io.PrintWriter e = new java.io.PrintWriter(err)) {
      exit = dev.tributary.node.cli.TributaryCli.run(java.io.InputStream.nullInputStream(), o, e, args);
    }
    return new Result(List.of(args), exit, out.toString(), err.toString());
  }

  /** {@link #cli} that must exit 0; its stdout. */
  public String cliOk(String... args) {
    return cli(args).requireOk().out();
  }

  /**
   * {@code tributary <args>} in a child JVM that runs on while the test goes on (a producer under
   * load, say): its stdout is read line by line as it comes (and copied to {@code cli/cli-<n>.out},
   * for a look after a failure), its stderr goes to a file. Killed by
   * {@link Background#close} or, at the latest, by this harness's {@link #close}.
   */
  public Background cliInBackground(String... args) {
    int run;
    synchronized (this) {
      run = ++cliRuns;
    }
    Path cliDir = dir.resolve("cli");
    try {
      Files.createDirectories(cliDir);
      Path err = cliDir.resolve("cli-" + run + ".err");
      List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-XX:+UseSerialGC",
          "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), CLI_MAIN));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).directory(cliDir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectError(err.toFile()).start();
      track(p);
      return new Background(List.of(args), p, err, cliDir.resolve("cli-" + run + ".out"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A CLI command started by {@link #cliInBackground}: its stdout lines so far, its exit. */
  public final class Background implements AutoCloseable {
    private final List<String> command;
    private final Process process;
    private final Path err;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private Background(List<String> command, Process process, Path err, Path out) {
      this.command = command;
      this.process = process;
      this.err = err;
      this.reader = new Thread(() -> {
        try (java.io.BufferedReader in = new java.io.BufferedReader(
                new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            java.io.Writer copy = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
          for (String line; (line = in.readLine()) != null; ) {
            copy.write(line);
            copy.write('\n');
            synchronized (lines) {
              lines.add(line);
              lines.notifyAll();
            }
          }
        } catch (IOException e) {
          // the child is gone
        } finally {
          synchronized (lines) {
            lines.notifyAll();
          }
        }
      }, "stdout of tributary " + command.get(0));
      reader.setDaemon(true);
      reader.start();
    }

    public long pid() {
      return process.pid();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** The stdout lines read so far. */
    public List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    /**
     * Waits until {@code count} stdout lines match {@code matching}; fails, with what it printed,
     * if the command exits first or {@code limit} passes. The lines so far.
     */
    public List<String> awaitLines(java.util.function.Predicate<String> matching, int count, Duration limit) {
      long deadline = System.nanoTime() + limit.toNanos();
      try {
        synchronized (lines) {
          while (lines.stream().filter(matching).count() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
              throw new AssertionError((left <= 0 ? "not " + count + " matching lines within " + limit.toSeconds() + " s"
                  : "exited with " + process.exitValue() + " before " + count + " matching lines") + ": " + this);
            }
            lines.wait(Math.min(200, left / 1_000_000 + 1));
          }
          return List.copyOf(lines);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    /** SIGTERM, as Ctrl-C or a rolling stop sends; then {@link #await}: the command's clean exit and its outcome. */
    public Result terminate(Duration limit) {
      // Through the handle: Process.destroy() also closes our end of the child's stdout, and what
      // it prints while it stops (a producer's last outcomes and summary) would be lost.
      process.toHandle().destroy();
      return await(limit);
    }

    /** Waits at most {@code limit} for the command to exit (SIGKILLs it if not, and fails); its outcome. */
    public Result await(Duration limit) {
      try {
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
          String so = this.toString();
          close();
          throw new AssertionError("still runs after " + limit.toSeconds() + " s (killed): " + so);
        }
        reader.join(TimeUnit.SECONDS.toMillis(30));
        Result r = new Result(command, process.exitValue(), String.join("\n", lines()) + "\n", errText());
        untrack(process);
        return r;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    private String errText() {
      try {
        return Files.readString(err);
      } catch (IOException e) {
        return e.toString();
      }
    }

    /** SIGKILL if it still runs. */
    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      untrack(process);
    }

    @Override
    public String toString() {
      List<String> out = lines();
      return "tributary " + String.join(" ", command) + " (pid " + process.pid() + ")\n--- last stdout lines:\n"
          + tail(String.join("\n", out), 20) + "--- stderr:\n" + tail(errText(), 40);
    }
  }

  // ---------------------------------------------------------------- polling

  /**
   * Runs {@code assertion} every {@link #POLL} until it passes; once {@code limit} has passed,
   * rethrows its last failure. A margin, not a sleep: it returns as soon as the assertion holds.
   */
  public static void eventually(Duration limit, Assertion assertion) {
    eventually(limit, () -> {
      assertion.check();
      return null;
    });
  }

  /** {@link #eventually(Duration, Assertion)} for a value: the first one {@code attempt} returns. */
  public static <T> T eventually(Duration limit, Callable<T> attempt) {
    long deadline = System.nanoTime() + limit.toNanos();
    int attempts = 0;
    while (true) {
      attempts++;
      try {
        return attempt.call();
      } catch (Throwable t) {
        if (t instanceof InterruptedException || t instanceof VirtualMachineError) {
          throw sneaky(t);
        }
        if (System.nanoTime() >= deadline) {
          AssertionError e = new AssertionError("still failing after " + limit.toSeconds() + " s ("
              + attempts + " attempts): " + t, t);
          throw e;
        }
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private Node node(int id) {
    if (id < 0 || id >= nodes.size()) {
      throw new IllegalArgumentException("no broker " + id + " (there are " + nodes.size() + ")");
    }
    return nodes.get(id);
  }

  private void launch(Node n) {
    do { // the next number no run has used, a start script's runs included
      n.runs++;
      n.log = n.home.resolve("run-" + n.runs + ".log");
    } while (Files.exists(n.log));
    try {
      Files.writeString(n.log, "$ " + String.join(" ", startArgs(n.id)) + "\n", StandardCharsets.UTF_8);
      ProcessBuilder process = new ProcessBuilder(brokerCommand(n)).directory(n.home.toFile())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(n.log.toFile()));
      process.environment().putAll(settings.environment);
      n.process = process.start();
      Files.writeString(pidFile(n.id), n.process.pid() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("starting broker " + n.id, e);
    }
    track(n.process);
  }

  /** The broker's JVM: {@code java <jvm options> -cp <this test's class path> TributaryCli start ...}. */
  private List<String> brokerCommand(Node n) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(settings.jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), CLI_MAIN));
    command.addAll(startArgs(n.id));
    return command;
  }

  /** The broker's process, if the pid file names a live one that runs on the broker's data directory. */
  private java.util.Optional<ProcessHandle> fromPidFile(Node n) {
    try {
      long pid = Long.parseLong(Files.readString(pidFile(n.id)).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> runsOn(h, n.dataDir));
    } catch (IOException | NumberFormatException noBroker) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Whether the process's command line names the data directory (not a process that took a dead
   * broker's pid). From /proc: {@code ProcessHandle.Info} cuts a command line at 4096 characters
   * on Linux, and a broker's class path alone is longer. Elsewhere, any java process counts.
   */
  private static boolean runsOn(ProcessHandle process, Path dataDir) {
    try {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
      return new String(cmdline, StandardCharsets.UTF_8).contains(dataDir.toString());
    } catch (IOException | UnsupportedOperationException noProc) {
      return process.info().command().map(c -> c.endsWith("java") || c.endsWith("java.exe")).orElse(false);
    }
  }

  private void awaitUp(Node n) {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    try {
      while (true) {
        String log = Files.readString(n.log, StandardCharsets.UTF_8);
        if (log.contains("is up on")) {
          return;
        }
        if (!n.process.isAlive()) {
          throw new AssertionError("broker " + n.id + " exited with " + n.process.exitValue()
              + " before it was up; " + n.log + ":\n" + tail(Files.readString(n.log), 60));
        }
        if (System.nanoTime() >= deadline) {
          n.process.destroyForcibly();
          n.process.waitFor(30, TimeUnit.SECONDS);
          throw new AssertionError("broker " + n.id + " not up within " + START_LIMIT.toSeconds() + " s; "
              + n.log + ":\n" + tail(Files.readString(n.log), 60));
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for broker " + n.id, e);
    }
  }

  private void track(Process p) {
    synchronized (everyChild) {
      everyChild.add(p);
    }
  }

  private void untrack(Process p) {
    synchronized (everyChild) {
      everyChild.remove(p);
    }
  }

  private static void signal(String signal, Process p) {
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(p.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill " + signal + " " + p.pid() + " failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static void waitForExit(Process p, String what) {
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError(what + ": pid " + p.pid() + " still runs after 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** A port free on 127.0.0.1 right now, and not one already chosen by this harness. */
  private static int freePort(Set<Integer> taken) {
    for (int i = 0; i < 50; i++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        int port = socket.getLocalPort();
        if (taken.add(port)) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException("no free port found");
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("deleting " + root, e);
    }
  }

  static String tail(String text, int lines) {
    List<String> all = text.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
