package dev.tributary.node.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Every usage error, whether picocli's own or one a command finds before it connects, ends here:
 * one line on stderr that says what is wrong and where the help is, and exit code 2. Scripts can
 * then tell "you called it wrong" (2) from "it did not work" (1).
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {

  static final int EXIT_CODE = 2;

  /** A usage error a command found itself, e.g. two options that exclude each other. */
  static ParameterException of(CommandSpec spec, String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** A command group (topic, group, cluster, perf) called without one of its subcommands. */
  static ParameterException missingSubcommand(CommandSpec spec) {
    return of(spec, "name a subcommand of " + spec.qualifiedName() + ": "
        + String.join(", ", spec.subcommands().keySet()));
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    cl.getErr().println("error: " + message(e) + " (see: " + cl.getCommandSpec().qualifiedName() + " --help)");
    return EXIT_CODE;
  }

  /**
   * picocli's message, except for values our converters refused: "--acks must be leader or all,
   * got '2'" reads better than picocli's "Invalid value for option '--acks': must be ...".
   */
  static String message(ParameterException e) {
    if (e.getCause() instanceof TypeConversionException refused && e.getArgSpec() != null) {
      return name(e.getArgSpec()) + " " + refused.getMessage();
    }
    if (e instanceof UnmatchedArgumentException unmatched) {
      List<String> suggestions = unmatched.getSuggestions();
      if (!suggestions.isEmpty()) {
        return e.getMessage() + "; did you mean " + String.join(" or ", suggestions) + "?";
      }
    }
    // picocli's argument-group messages come as "Error: ..."; the line already starts with "error: ".
    return e.getMessage().startsWith("Error: ") ? e.getMessage().substring("Error: ".length()) : e.getMessage();
  }

  private static String name(ArgSpec arg) {
    if (arg instanceof OptionSpec option) {
      return option.longestName();
    }
    return ((PositionalParamSpec) arg).paramLabel();
  }
}
