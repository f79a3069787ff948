package dev.tributary.node.cli;

import picocli.CommandLine.Option;

/**
 * {@code -h/--help} for every subcommand. Not picocli's standard help options: those bring
 * {@code -V/--version} along, and the version belongs to {@code tributary} itself only.
 */
final class HelpOption {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
}
