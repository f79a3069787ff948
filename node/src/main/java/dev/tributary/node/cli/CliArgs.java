package dev.tributary.node.cli;

import dev.tributary.client.ConsumerSettings;
import dev.tributary.journal.segment.FsyncPolicy;
import dev.tributary.node.controller.ControllerVoters;
import dev.tributary.protocol.TopicNames;
import dev.tributary.protocol.message.Acks;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for option values shared by commands. Each refuses a bad value while the
 * command line is parsed, before anything connects, so the error is a usage error (exit 2). A
 * message reads after the option's name: "--acks must be leader or all, got '2'".
 */
final class CliArgs {

  private CliArgs() {}

  /**
   * An option that takes one of a few words: the converter accepts them (in any case) and, as
   * picocli's completion candidates, offers them to the shell and to {@code ${COMPLETION-CANDIDATES}}.
   */
  abstract static class Words implements Iterable<String> {
    private final List<String> words;

    Words(String... words) {
      this.words = List.of(words);
    }

    @Override
    public Iterator<String> iterator() {
      return words.iterator();
    }

    /** {@code value} in lower case if it is one of the words; a usage error that lists them otherwise. */
    String pick(String value) {
      return oneOf(value, words.toArray(String[]::new));
    }
  }

  /** An option whose value is the word itself, as given (in lower case). */
  abstract static class Word extends Words implements ITypeConverter<String> {
    Word(String... words) {
      super(words);
    }

    @Override
    public String convert(String value) {
      return pick(value);
    }
  }

  /** A record batch codec by Kafka's {@code compression.type} name. */
  static final class CompressionConverter extends Words
      implements ITypeConverter<dev.tributary.protocol.record.Compression> {
    CompressionConverter() {
      super("none", "gzip", "snappy", "lz4", "zstd");
    }

    @Override
    public dev.tributary.protocol.record.Compression convert(String value) {
      return dev.tributary.protocol.record.Compression.parse(pick(value));
    }
  }

  /** {@code leader} or {@code all}, or Kafka's numbers 1 and -1. */
  static final class AcksConverter extends Words implements ITypeConverter<Acks> {
    AcksConverter() {
      super("leader", "all");
    }

    @Override
    public Acks convert(String value) {
      return switch (value.trim()) {
        case "1" -> Acks.LEADER;
        case "-1" -> Acks.ALL;
        default -> pick(value).equals("leader") ? Acks.LEADER : Acks.ALL;
      };
    }
  }

  /**
   * Bootstrap brokers, {@code host:port[,host:port...]}, checked by the same rules as the
   * client's (which would refuse them only after the command started).
   */
  static final class HostPortList implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      if (value.isBlank()) {
        throw new TypeConversionException("is empty: give HOST:PORT[,HOST:PORT...], e.g. 127.0.0.1:25520");
      }
      for (String one : value.split(",", -1)) {
        hostPort(one.trim());
      }
      return value;
    }
  }

  /** One {@code host:port}, as {@code --seed} takes it. */
  static final class HostPort implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      hostPort(value);
      return value;
    }
  }

  private static void hostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new TypeConversionException("'" + value + "' is not HOST:PORT, e.g. 127.0.0.1:25520");
    }
    String port = value.substring(colon + 1);
    if (!port.matches("\\d{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
      throw new TypeConversionException("'" + value + "' has no valid port: give HOST:PORT with a port in 1-65535");
    }
  }

  /** Kafka's controller.quorum.voters, {@code ID@HOST:PORT,...}; kept as text, parsed by the broker's settings. */
  static final class Voters implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      try {
        return ControllerVoters.parse(value).toString();
      } catch (IllegalArgumentException e) {
        // ControllerVoters names the flag itself: "--controller-voters: ..."
        throw new TypeConversionException(e.getMessage().replaceFirst("^--controller-voters: ", ""));
      }
    }
  }

  /** An ISO-8601 instant such as {@code 2026-11-26T12:00:00Z} (an offset such as {@code +01:00} too). */
  static final class IsoInstant implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
      try {
        return Instant.parse(value);
      } catch (DateTimeParseException e) {
        throw new TypeConversionException("must be an ISO-8601 time like 2026-11-26T12:00:00Z, got '" + value + "'");
      }
    }
  }

  /** A Java regular expression, matched against whole topic names. */
  static final class Regex implements ITypeConverter<Pattern> {
    @Override
    public Pattern convert(String value) {
      try {
        return Pattern.compile(value);
      } catch (PatternSyntaxException e) {
        throw new TypeConversionException("is not a valid regular expression (" + e.getDescription()
            + " near index " + e.getIndex() + "): '" + value + "'");
      }
    }
  }

  /** A topic name a broker would accept: the same rules ({@link TopicNames}), checked before connecting. */
  static final class TopicName implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
      TopicNames.problem(value).ifPresent(problem -> {
        throw new TypeConversionException("'" + value + "' is not a valid topic name: " + problem);
      });
      return value;
    }
  }

  /** The journal's fsync policy, by name. */
  static final class Fsync extends Words implements ITypeConverter<FsyncPolicy> {
    Fsync() {
      super("always", "interval", "never");
    }

    @Override
    public FsyncPolicy convert(String value) {
      return FsyncPolicy.valueOf(pick(value).toUpperCase(Locale.ROOT));
    }
  }

  /** How soon a silent broker is fenced. */
  static final class Failover extends Word {
    Failover() {
      super("default", "fast");
    }
  }

  /** How a broker finds its cluster through Cluster Bootstrap: Pekko Discovery's methods we ship. */
  static final class Discovery extends Word {
    Discovery() {
      super("kubernetes-api", "config");
    }
  }

  /** The server-side assignors a consumer may ask for. */
  static final class Assignor extends Word {
    Assignor() {
      super("sticky", "range", "round-robin");
    }
  }

  /** Where a partition without a committed offset starts (not NONE: the tool always starts somewhere). */
  static final class ResetPolicy extends Words implements ITypeConverter<ConsumerSettings.OffsetReset> {
    ResetPolicy() {
      super("earliest", "latest");
    }

    @Override
    public ConsumerSettings.OffsetReset convert(String value) {
      return ConsumerSettings.OffsetReset.valueOf(pick(value).toUpperCase(Locale.ROOT));
    }
  }

  /** The shells {@code completion} writes a script for. */
  static final class Shell extends Word {
    Shell() {
      super("bash", "zsh");
    }
  }

  /** {@code value} in lower case if it is one of {@code allowed} (ignoring case); a usage error otherwise. */
  static String oneOf(String value, String... allowed) {
    String lower = value.trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(lower)) {
        return a;
      }
    }
    if (allowed.length == 2) {
      throw new TypeConversionException("must be " + allowed[0] + " or " + allowed[1] + ", got '" + value + "'");
    }
    throw new TypeConversionException("must be one of " + String.join(", ", allowed) + "; got '" + value + "'");
  }
}
