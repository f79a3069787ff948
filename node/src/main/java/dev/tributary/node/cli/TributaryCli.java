package dev.tributary.node.cli;

import dev.tributary.protocol.TributaryException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tributary} command: start a broker, manage topics, produce, consume, measure. */
@Command(
    name = "tributary",
    mixinStandardHelpOptions = true,
    version = "tributary 0.1.0",
    description = "A Kafka-style log broker on Apache Pekko.",
    subcommands = {
        StartCommand.class,
        TopicCommand.class,
        ProduceCommand.class,
        ConsumeCommand.class,
        GroupCommand.class,
        PerfCommand.class
    })
public final class TributaryCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    // Initialize logging before any thread logs, so SLF4J has nothing to replay.
    org.slf4j.LoggerFactory.getLogger(TributaryCli.class);
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code: 0 ok, 1 failed, 2 bad arguments. */
  public static int run(String... args) {
    return new CommandLine(new TributaryCli())
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          commandLine.getErr().println("error: " + describe(e));
          return 1;
        })
        .setParameterExceptionHandler((e, args1) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage());
          e.getCommandLine().getErr().println("(run with --help for usage)");
          return 2;
        })
        .execute(args);
  }

  /** One line that says what went wrong, without a stack trace. */
  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TributaryException || t instanceof IllegalArgumentException) {
      return t.getMessage();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
