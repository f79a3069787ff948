package dev.tributary.node.cli;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Where {@code consume --offset} starts in each partition, written as rpk writes it: {@code start},
 * {@code end}, an exact offset {@code 42}, {@code +N} (N after the log start), {@code -N} (N before
 * the end), or {@code @T}, the first record at or after time T (milliseconds since the epoch, or
 * RFC 3339 such as {@code 2026-11-26T12:00:00Z}). Pure: resolving against a partition's bounds is
 * arithmetic here, looking a time up is the consumer's.
 */
sealed interface StartOffset {

  String USAGE = "start, end, an offset N, +N (N after the start), -N (N before the end), "
      + "or @T (a time: epoch milliseconds or 2026-11-26T12:00:00Z)";

  /** The earliest offset still in the log. */
  record Start() implements StartOffset {}

  /** The end of the log: only records produced from now on. */
  record End() implements StartOffset {}

  /** Exactly this offset. */
  record Exact(long offset) implements StartOffset {}

  /** {@code n} records after the log start (the end if the log holds fewer). */
  record AfterStart(long n) implements StartOffset {}

  /** {@code n} records before the end (the log start if the log holds fewer). */
  record BeforeEnd(long n) implements StartOffset {}

  /** The first record whose timestamp is at or after {@code epochMillis} (the end if none is). */
  record AtTime(long epochMillis) implements StartOffset {}

  /**
   * The offset to seek to in a partition whose log runs from {@code logStart} to {@code end}
   * (exclusive); not for {@link AtTime}, which only the broker can answer.
   */
  default long resolve(long logStart, long end) {
    if (this instanceof Start) {
      return logStart;
    } else if (this instanceof End) {
      return end;
    } else if (this instanceof Exact exact) {
      return exact.offset();
    } else if (this instanceof AfterStart after) {
      return logStart + Math.min(after.n(), end - logStart);
    } else if (this instanceof BeforeEnd before) {
      return end - Math.min(before.n(), end - logStart);
    }
    throw new IllegalStateException(this + " is looked up by time, not resolved from the log's bounds");
  }

  /** Parses rpk's forms; {@link IllegalArgumentException} with the accepted forms otherwise. */
  static StartOffset parse(String text) {
    String s = text.trim();
    if (s.equals("start")) {
      return new Start();
    }
    if (s.equals("end")) {
      return new End();
    }
    if (s.startsWith("@")) {
      return new AtTime(time(s.substring(1), text));
    }
    if (s.startsWith("+")) {
      return new AfterStart(number(s.substring(1), text));
    }
    if (s.startsWith("-")) {
      return new BeforeEnd(number(s.substring(1), text));
    }
    return new Exact(number(s, text));
  }

  private static long number(String digits, String text) {
    if (!digits.matches("\\d{1,18}")) {
      throw new IllegalArgumentException("must be " + USAGE + "; got '" + text + "'");
    }
    return Long.parseLong(digits);
  }

  private static long time(String t, String text) {
    if (t.matches("\\d{1,18}")) {
      return Long.parseLong(t);
    }
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("must be @ and a time, epoch milliseconds or RFC 3339 like "
          + "2026-11-26T12:00:00Z; got '" + text + "'");
    }
  }

  /** For picocli: a bad offset is a usage error. */
  final class Converter implements ITypeConverter<StartOffset> {
    @Override
    public StartOffset convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
