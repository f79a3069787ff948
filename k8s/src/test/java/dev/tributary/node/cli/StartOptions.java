package dev.tributary.node.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A {@code tributary start} command line as the broker's own CLI reads it, for the k8s tests: the
 * StatefulSet's args parsed by {@link StartCommand}'s picocli model, with its defaults. In this
 * package because StartCommand is package-private; a rename there breaks this at compile time.
 *
 * <p>Arguments the CLI does not know are kept aside ({@link #unmatched()}) instead of failing, so
 * that a test can tell an option agreed with the broker but not built yet from a typo.
 */
public final class StartOptions {

  private final CommandLine commandLine;
  private final List<String> unmatched;

  private StartOptions(CommandLine commandLine, List<String> unmatched) {
    this.commandLine = commandLine;
    this.unmatched = List.copyOf(unmatched);
  }

  /** The subcommand's name, which the container's first argument must be. */
  public static String commandName() {
    return new CommandLine(StartCommand.class).getCommandName();
  }

  /** Whether {@code tributary} has {@code start} among its subcommands. */
  public static boolean isSubcommandOfTheCli() {
    return List.of(TributaryCli.class.getAnnotation(CommandLine.Command.class).subcommands()).contains(StartCommand.class);
  }

  /** Parses the arguments after {@code start}; throws picocli's ParameterException for a bad value. */
  public static StartOptions parse(List<String> args) {
    CommandLine commandLine = new CommandLine(StartCommand.class).setUnmatchedArgumentsAllowed(true);
    CommandLine.ParseResult result = commandLine.parseArgs(args.toArray(String[]::new));
    return new StartOptions(commandLine, result.unmatched());
  }

  /** Whether the CLI has this option at all. */
  public boolean knows(String option) {
    return commandLine.getCommandSpec().findOption(option) != null;
  }

  /** Whether the command line gave this option (not only its default). */
  public boolean given(String option) {
    return commandLine.getParseResult().hasMatchedOption(option);
  }

  /** The option's value: given, or the CLI's default; empty for an unknown option or one without a default. */
  public Optional<Object> value(String option) {
    OptionSpec spec = commandLine.getCommandSpec().findOption(option);
    return spec == null ? Optional.empty() : Optional.ofNullable(spec.getValue());
  }

  /** Arguments no option of the CLI took. */
  public List<String> unmatched() {
    return unmatched;
  }
}
