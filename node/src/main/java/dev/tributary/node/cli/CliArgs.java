package dev.tributary.node.cli;

import dev.tributary.protocol.message.Acks;
import java.util.Locale;

/** Parsing of option values shared by commands, with errors that say what is allowed. */
final class CliArgs {

  private CliArgs() {}

  static Acks acks(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "leader", "1" -> Acks.LEADER;
      case "all", "-1" -> Acks.ALL;
      default -> throw new IllegalArgumentException("--acks must be leader or all, got '" + value + "'");
    };
  }
}
