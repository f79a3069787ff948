package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Usage errors, help and completion, in-process and without a broker: every argument problem the
 * CLI can see by itself is exit code 2 and one line that names it, before anything connects.
 */
class CliUsageTest {

  /** Where a {@code start} that wrongly got past its checks would put its data: never ./data. */
  @TempDir static Path dir;

  record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().filter(l -> !l.isBlank()).toList();
    }
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TributaryCli.run(new ByteArrayInputStream(new byte[0]), new PrintWriter(out), new PrintWriter(err), args);
    return new Result(exit, out.toString(), err.toString());
  }

  /**
   * A case that wrongly passed its checks must not reach a real broker or start one where it
   * could disturb something: clients get a bootstrap where nothing listens, brokers a temp dir.
   */
  /** Commands that only group others: alone they take no options at all. */
  private static final java.util.Set<String> COMMAND_GROUPS = java.util.Set.of("topic", "group", "cluster", "perf", "tls");

  private static String[] guarded(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (args[0].equals("start")) {
      all.addAll(List.of("--data-dir", dir.resolve("data").toString()));
    } else if (!args[0].equals("completion") && !all.contains("-b") && !all.contains("--bootstrap")
        && !(args.length == 1 && COMMAND_GROUPS.contains(args[0]))) {
      all.addAll(List.of("-b", "127.0.0.1:1"));
    }
    return all.toArray(String[]::new);
  }

  static Stream<Arguments> badArguments() {
    return Stream.of(
        // a command group without its subcommand
        bad("name a subcommand of tributary topic: create, list, describe", "topic"),
        bad("name a subcommand of tributary group: list, describe", "group"),
        bad("name a subcommand of tributary cluster: describe", "cluster"),
        bad("name a subcommand of tributary perf: produce", "perf"),
        bad("name a subcommand of tributary tls: init", "tls"),
        bad("--days must be at least 1, got 0", "tls", "init", "certs", "--days", "0"),
        // consume: TOPIC or --include, and the options that go together
        bad("name a TOPIC to read, or give --include REGEX --group GROUP", "consume"),
        bad("give a TOPIC or --include REGEX, not both", "consume", "t", "--include", "t.*", "-g", "g"),
        bad("--include needs --group", "consume", "--include", "t.*"),
        bad("--include is not a valid regular expression", "consume", "--include", "t[", "-g", "g"),
        bad("--group assigns partitions itself", "consume", "t", "-g", "g", "-p", "0"),
        bad("--group assigns partitions itself", "consume", "t", "--group", "g", "--offset", "start"),
        bad("give --from-beginning or --offset, not both", "consume", "t", "--from-beginning", "-o", "5"),
        bad("--assignor needs --group", "consume", "t", "--assignor", "range"),
        bad("--assignor must be one of sticky, range, round-robin; got 'fair'", "consume", "t", "-g", "g", "--assignor", "fair"),
        bad("--partition must be >= 0, got -1", "consume", "t", "-p", "-1"),
        bad("--partition must be >= 0, got 'one' (not a whole number)", "consume", "t", "--partition", "one"),
        bad("--max-messages must be at least 1, got 0", "consume", "t", "-n", "0"),
        bad("--offset must be start, end, an offset N", "consume", "t", "-o", "first"),
        bad("--offset must be start, end, an offset N", "consume", "t", "--offset", "+"),
        bad("--offset must be @ and a time", "consume", "t", "-o", "@yesterday"),
        bad("--format has an unknown format token '%x'", "consume", "t", "--format", "%x"),
        bad("--format has an unknown format token '\\q'", "consume", "t", "-f", "\\q"),
        // --bootstrap, on every client command
        bad("--bootstrap 'nonsense' is not HOST:PORT", "consume", "t", "--bootstrap", "nonsense"),
        bad("--bootstrap 'localhost' is not HOST:PORT", "topic", "list", "-b", "localhost"),
        bad("--bootstrap '127.0.0.1:0' has no valid port", "cluster", "describe", "-b", "127.0.0.1:0"),
        bad("--bootstrap 'h:70000' has no valid port", "group", "list", "-b", "h:1,h:70000"),
        bad("--bootstrap '' is not HOST:PORT", "topic", "list", "-b", "h:1,"),
        bad("--bootstrap is empty", "topic", "list", "-b", ""),
        // produce
        bad("--acks must be leader or all, got '2'", "produce", "t", "--acks", "2"),
        bad("Missing required parameter: 'TOPIC'", "produce"),
        bad("--compression must be one of none, gzip, snappy, lz4, zstd; got 'brotli'", "produce", "t",
            "--compression", "brotli"),
        // topic create: the broker's rules, checked before connecting
        bad("--partitions must be between 1 and 10000, got 0", "topic", "create", "t", "--partitions", "0"),
        bad("--partitions must be between 1 and 10000, got 10001", "topic", "create", "t", "-p", "10001"),
        bad("--replication-factor must be at least 1, got 0", "topic", "create", "t", "-p", "1", "-r", "0"),
        bad("NAME 'a/b' is not a valid topic name", "topic", "create", "a/b", "-p", "1"),
        bad("reserved for internal use", "topic", "create", "__t", "-p", "1"),
        bad("--config: unknown config 'retention.msx'", "topic", "create", "t", "-p", "1", "-c", "retention.msx=1"),
        bad("--config: retention.ms must be a whole number", "topic", "create", "t", "-p", "1", "--config", "retention.ms=1d"),
        bad("Missing required option: '--partitions=<partitions>'", "topic", "create", "t"),
        bad("'creat'", "topic", "creat", "t"),
        // group reset-offsets
        bad("--to-datetime must be an ISO-8601 time like 2026-11-26T12:00:00Z, got 'yesterday'",
            "group", "reset-offsets", "g", "--topic", "t", "--to-datetime", "yesterday"),
        bad("--to-offset must be >= 0, got -1", "group", "reset-offsets", "g", "--topic", "t", "--to-offset", "-1"),
        bad("mutually exclusive", "group", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-latest"),
        bad("Missing required argument", "group", "reset-offsets", "g", "--topic", "t"),
        // perf
        bad("--num-records must be at least 1, got 0", "perf", "produce", "--topic", "t", "--num-records", "0",
            "--record-size", "1", "--throughput", "-1"),
        bad("--record-size must be >= 0, got -1", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "-1", "--throughput", "-1"),
        bad("--throughput must be -1 (no limit) or a positive rate, got 0", "perf", "produce", "--topic", "t",
            "--num-records", "1", "--record-size", "1", "--throughput", "0"),
        bad("--batch-size must be at least 1, got 0", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "1", "--throughput", "-1", "--batch-size", "0"),
        bad("--linger-ms must be >= 0, got -5", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "1", "--throughput", "-1", "--linger-ms", "-5"),
        bad("--max-in-flight must be at least 1, got 0", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "1", "--throughput", "-1", "--max-in-flight", "0"),
        bad("--acks must be leader or all, got 'none'", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "1", "--throughput", "-1", "--acks", "none"),
        bad("--reporting-interval must be at least 1, got 0", "perf", "produce", "--topic", "t", "--num-records", "1",
            "--record-size", "1", "--throughput", "-1", "--reporting-interval", "0"),
        bad("--messages must be at least 1, got 0", "perf", "consume", "--topic", "t", "--messages", "0"),
        bad("--fetch-size must be at least 1, got 0", "perf", "consume", "--topic", "t", "--messages", "1",
            "--fetch-size", "0"),
        bad("--rate must be at least 1, got 0", "perf", "rebalance", "--rate", "0"),
        bad("--partitions must be between 1 and 10000, got 0", "perf", "rebalance", "--partitions", "0"),
        bad("--duration-s must be at least 1, got 0", "perf", "create-loop", "--duration-s", "0"),
        bad("--request-timeout-ms must be at least 1, got 0", "perf", "create-loop", "--request-timeout-ms", "0"),
        // verifiable tools
        bad("--max-messages must be -1 (until stopped) or >= 0, got -2", "verifiable-producer", "--topic", "t",
            "--max-messages", "-2"),
        bad("--throughput must be -1 (no limit) or a positive rate, got 0", "verifiable-producer", "--topic", "t",
            "--throughput", "0"),
        bad("--repeating-keys must be at least 1, got 0", "verifiable-producer", "--topic", "t", "--repeating-keys", "0"),
        bad("--acks must be leader or all, got '2'", "verifiable-producer", "--topic", "t", "--acks", "2"),
        bad("--value-prefix", "verifiable-producer", "--topic", "t", "--value-prefix", "x"),
        bad("--reset-policy must be earliest or latest, got 'none'", "verifiable-consumer", "--topic", "t", "-g", "g",
            "--reset-policy", "none"),
        bad("--max-messages must be -1 (until stopped) or >= 0, got -5", "verifiable-consumer", "--topic", "t",
            "--group-id", "g", "-n", "-5"),
        bad("Missing required option: '--group-id=<group-id>'", "verifiable-consumer", "--topic", "t"),
        // start
        bad("--port must be between 0 and 65535, got 70000", "start", "--port", "70000"),
        bad("--admin-port must be between 0 and 65535, got -1", "start", "--admin-port", "-1"),
        bad("--node-id must be >= 0, got -1", "start", "--node-id", "-1"),
        bad("--seed 'nohost' is not HOST:PORT", "start", "--seed", "nohost"),
        bad("--controller-voters 'x' is not ID@HOST:PORT", "start", "--controller-voters", "x"),
        bad("--failover must be default or fast, got 'slow'", "start", "--failover", "slow"),
        bad("--discovery must be kubernetes-api or config, got 'dns'", "start", "--discovery", "dns"),
        bad("--discovery and --seed are two ways to find the cluster: give one of them",
            "start", "--discovery", "config", "--seed", "127.0.0.1:1"),
        bad("--fsync must be one of always, interval, never; got 'sometimes'", "start", "--fsync", "sometimes"),
        // the command line itself
        bad("'--partiton'", "consume", "t", "--partiton", "1"),
        bad("Unknown option: '--version'", "consume", "t", "--version"),
        bad("Unknown option: '-V'", "topic", "list", "-V"),
        bad("SHELL must be bash or zsh, got 'fish'", "completion", "fish"),
        bad("Missing required parameter: 'SHELL'", "completion"));
  }

  private static Arguments bad(String message, String... args) {
    return Arguments.of(String.join(" ", args), message, args);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badArguments")
  @Timeout(30)
  void aBadArgumentIsExitCodeTwoAndOneLineThatNamesIt(String line, String message, String[] args) {
    Result r = run(guarded(args));
    assertEquals(2, r.exit(), "exit code; stderr: " + r.err());
    assertEquals(1, r.errLines().size(), "one line: " + r.err());
    String error = r.errLines().get(0);
    assertTrue(error.startsWith("error: ") && !error.startsWith("error: Error"), error);
    assertTrue(error.contains(message), "says " + message + ": " + error);
    assertTrue(error.endsWith("--help)"), "says where the help is: " + error);
    assertEquals("", r.out());
  }

  @Test
  void helpExplainsTheFormatTokensAndOffsetsWithKebabCasePlaceholders() {
    Result help = run("consume", "--help");
    assertEquals(0, help.exit(), help.err());
    String out = help.out();
    for (String s : List.of("%t  topic", "%p  partition", "%o  offset", "%k  key", "%s  value", "%T  timestamp",
        "\\n  newline", "\\t  tab", "%%  a percent sign", "+N   N records after the start", "-N     N records before the end",
        "@T   the first record at or after time T",
        "-n, --max-messages=<max-messages>", "-o, --offset=<offset>", "-p, --partition=<partition>",
        "-f, --format=<format>", "-g, --group=<group>", "-b, --bootstrap=<host:port>[,...]", "[TOPIC]", "The topic to read", "default '%s\\n'")) {
      assertTrue(out.contains(s), "consume --help shows " + s + ":\n" + out);
    }
    assertFalse(out.contains("maxMessages"), out);
    assertFalse(out.contains("-V"), "the version is the top level's only:\n" + out);
  }

  @Test
  void theVersionIsOnTheTopLevel() {
    Result version = run("-V");
    assertEquals(0, version.exit());
    assertEquals("tributary 0.1.0\n", version.out());
    assertTrue(run("--help").out().contains("Exit codes: 0 success, 1 failure"), run("--help").out());
  }

  /** Every option that takes a value has a kebab-case placeholder, and every positional says what it is. */
  @Test
  void everyPlaceholderIsKebabCaseAndEveryPositionalIsDescribed() {
    List<String> problems = new ArrayList<>();
    walk(TributaryCli.commandLine(null, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
        problems);
    assertEquals(List.of(), problems);
  }

  private static void walk(picocli.CommandLine cl, List<String> problems) {
    picocli.CommandLine.Model.CommandSpec spec = cl.getCommandSpec();
    for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
      if (o.arity().max() > 0 && !o.paramLabel().matches("[a-z0-9<>:=,.@|\\[\\]-]+")) {
        problems.add(spec.qualifiedName() + " " + o.longestName() + " " + o.paramLabel());
      }
    }
    for (picocli.CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
      if (String.join("", p.description()).isBlank()) {
        problems.add(spec.qualifiedName() + " " + p.paramLabel() + " has no description");
      }
    }
    cl.getSubcommands().values().forEach(sub -> walk(sub, problems));
  }

  @Test
  void completionPrintsAScriptThatKnowsTheSubcommands() {
    Result bash = run("completion", "bash");
    assertEquals(0, bash.exit(), bash.err());
    for (String s : List.of("complete -F", "tributary", "consume", "topic", "create", "verifiable-producer",
        "--max-messages", "--bootstrap", "round-robin", "earliest")) {
      assertTrue(bash.out().contains(s), "the script mentions " + s);
    }
    Result zsh = run("completion", "zsh");
    assertEquals(0, zsh.exit(), zsh.err());
    assertTrue(zsh.out().contains("bashcompinit"), "zsh loads bash completion itself");
  }
}
