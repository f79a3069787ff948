package dev.tributary.node.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for numbers with a range, so that {@code --partitions 0} is a usage error
 * while the command line is parsed rather than a refusal from a broker after connecting. One
 * class per range because picocli instantiates converters by class, without arguments.
 */
final class Ranges {

  private Ranges() {}

  /** 1 or more, e.g. a count of partitions, records or bytes. */
  static final class Positive implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) check(value, 1, Integer.MAX_VALUE, "at least 1");
    }
  }

  /** 1 or more, as a long. */
  static final class PositiveLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return check(value, 1, Long.MAX_VALUE, "at least 1");
    }
  }

  /** 0 or more, e.g. an offset or a duration. */
  static final class NonNegative implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) check(value, 0, Integer.MAX_VALUE, ">= 0");
    }
  }

  /** 0 or more, as a long. */
  static final class NonNegativeLong implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return check(value, 0, Long.MAX_VALUE, ">= 0");
    }
  }

  /** A count where -1 means "until stopped": -1, 0 or more. */
  static final class CountOrUnlimited implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return check(value, -1, Long.MAX_VALUE, "-1 (until stopped) or >= 0");
    }
  }

  /** A rate where -1 means "no limit": -1, or 1 or more (0 would never send). */
  static final class RateOrUnlimited implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      long n = check(value, -1, Long.MAX_VALUE, "-1 (no limit) or a positive rate");
      if (n == 0) {
        throw new TypeConversionException("must be -1 (no limit) or a positive rate, got 0");
      }
      return n;
    }
  }

  /** A TCP port to listen on; 0 for any free one. */
  static final class Port implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) check(value, 0, 65535, "between 0 and 65535");
    }
  }

  /** A topic's partition count: what the controller accepts. */
  static final class PartitionCount implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      int max = dev.tributary.node.controller.ControllerState.MAX_PARTITIONS;
      return (int) check(value, 1, max, "between 1 and " + max);
    }
  }

  private static long check(String value, long min, long max, String allowed) {
    long n;
    try {
      n = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("must be " + allowed + ", got '" + value + "' (not a whole number)");
    }
    if (n < min || n > max) {
      throw new TypeConversionException("must be " + allowed + ", got " + n);
    }
    return n;
  }
}
