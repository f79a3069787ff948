package dev.tributary.node.cli;

import dev.tributary.protocol.Failures;
import dev.tributary.protocol.TributaryException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tributary} command: start a broker, manage topics, produce, consume, measure, verify. */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0",
    description = "A Kafka-style log broker on Apache Pekko.",
    subcommands = {
        StartCommand.class,
        TopicCommand.class,
        ClusterCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        GroupCommand.class,
        PerfCommand.class,
        VerifiableProducerCommand.class,
        VerifiableConsumerCommand.class,
        TlsCommand.class,
        CompletionCommand.class
    },
    footer = {"", "Exit codes: 0 success, 1 failure (e.g. no broker answered, or it refused the request), "
        + "2 usage error (an unknown option, a missing or bad value)."})
public final class TributaryCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final InputStream in;

  private TributaryCli(InputStream in) {
    this.in = in;
  }

  /** Standard input of this run, for {@code produce}. */
  InputStream in() {
    return in;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
  }

  public static void main(String[] args) {
    // Initialize logging before any thread logs, so SLF4J has nothing to replay.
    org.slf4j.LoggerFactory.getLogger(TributaryCli.class);
    // Records are printed as UTF-8 whatever the platform's default charset.
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(System.in, out, err, args));
  }

  /**
   * Runs a command line on the given streams and returns its exit code: 0 ok, 1 failed, 2 bad
   * arguments (any problem visible without a broker; {@link UsageErrors}). Commands write only to
   * {@code out} and {@code err} (broker and client logs go to the logging system's own appenders).
   */
  public static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
    try {
      return commandLine(in, out, err).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** The whole command tree on these streams, with this CLI's exit codes; tests parse with it too. */
  static CommandLine commandLine(InputStream in, PrintWriter out, PrintWriter err) {
    // A command's own usage checks throw ParameterException too; picocli hands those to the
    // parameter handler, and the execution handler would pass one on should it ever get one.
    UsageErrors usageErrors = new UsageErrors();
    return new CommandLine(new TributaryCli(in))
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          if (e instanceof CommandLine.ParameterException usage) {
            return usageErrors.handleParseException(usage, parseResult.originalArgs().toArray(String[]::new));
          }
          commandLine.getErr().println("error: " + describe(e));
          return 1;
        })
        .setParameterExceptionHandler(usageErrors);
  }

  /** One line that says what went wrong, without a stack trace. */
  static String describe(Throwable e) {
    Throwable t = Failures.cause(e);
    if (t instanceof TributaryException || t instanceof IllegalArgumentException) {
      return t.getMessage();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
