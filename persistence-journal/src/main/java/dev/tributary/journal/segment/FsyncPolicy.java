package dev.tributary.journal.segment;

import java.util.Locale;

/**
 * When appended entries are forced to disk. What each promises after a crash is documented in the
 * module's {@code reference.conf} ({@code tributary.journal.fsync}).
 */
public enum FsyncPolicy {
  /** Every write is fsynced before it is acknowledged; writes that arrive together share one. */
  ALWAYS,
  /** Dirty logs are fsynced every {@code fsync-interval}; writes are acknowledged before that. */
  INTERVAL,
  /** The operating system decides; fsync only at segment roll and clean shutdown. */
  NEVER;

  public static FsyncPolicy parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "fsync must be one of always, interval, never; got '" + value + "'");
    }
  }
}
