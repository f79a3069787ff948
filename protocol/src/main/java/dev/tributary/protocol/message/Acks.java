package dev.tributary.protocol.message;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * When a produce is answered: after the leader's write, or after every in-sync replica has it.
 *
 * <p>On the wire it is its {@link #code()}, Kafka's {@code acks} number (1 and -1, as the CLI's
 * {@code --acks 1} and {@code --acks -1} already read), never its ordinal. {@code AcksTest} pins
 * the numbers. Kafka's 0 (no answer at all) is not offered; it would keep that number if it were.
 */
public enum Acks {
  LEADER(1),
  ALL(-1);

  private static final Acks[] VALUES = values();

  private final int code;

  Acks(int code) {
    this.code = code;
  }

  /** The number on the wire (the data plane writes it as one signed byte), fixed for good. */
  @JsonValue
  public int code() {
    return code;
  }

  /**
   * The acks level with this number. An unknown number is refused rather than guessed: answering
   * a produce sooner than its sender asked would lose data it believes safe.
   *
   * @throws IllegalArgumentException for a number this side does not know
   */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Acks forCode(int code) {
    for (Acks a : VALUES) { // read for every produce: values() would copy the array each time
      if (a.code == code) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown acks code " + code + ": this side knows 1 (LEADER) and -1 (ALL);"
        + " the sender is newer, or from before fixed numbers: upgrade this side");
  }
}
