package dev.tributary.node.cli;

import dev.tributary.client.ConsumerRecord;
import java.nio.charset.StandardCharsets;

/**
 * kcat-style output format: {@code %t} topic, {@code %p} partition, {@code %o} offset, {@code %k}
 * key, {@code %s} value, {@code %T} timestamp, {@code \n} newline, {@code \t} tab, {@code %%} a
 * percent sign. Null keys and values print as nothing.
 */
final class RecordFormat {

  private final String format;

  RecordFormat(String format) {
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if ((c == '%' || c == '\\') && i + 1 < format.length()) {
        char next = format.charAt(++i);
        boolean known = c == '%' ? "tpoksT%".indexOf(next) >= 0 : "nt\\".indexOf(next) >= 0;
        if (!known) {
          throw new IllegalArgumentException("unknown format token '" + c + next
              + "': use %t %p %o %k %s %T %% and \\n \\t");
        }
      }
    }
    this.format = format;
  }

  String render(ConsumerRecord r) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c == '%' && i + 1 < format.length()) {
        char token = format.charAt(++i);
        switch (token) {
          case 't' -> out.append(r.topic());
          case 'p' -> out.append(r.partition());
          case 'o' -> out.append(r.offset());
          case 'k' -> out.append(text(r.key()));
          case 's' -> out.append(text(r.value()));
          case 'T' -> out.append(r.timestamp());
          default -> out.append('%');
        }
      } else if (c == '\\' && i + 1 < format.length()) {
        char token = format.charAt(++i);
        out.append(token == 'n' ? '\n' : token == 't' ? '\t' : '\\');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The format as given, e.g. {@code %s\n}. */
  @Override
  public String toString() {
    return format;
  }

  /** For picocli: a format with an unknown token is a usage error. */
  static final class Converter implements picocli.CommandLine.ITypeConverter<RecordFormat> {
    @Override
    public RecordFormat convert(String value) {
      try {
        return new RecordFormat(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("has an " + e.getMessage());
      }
    }
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
  }
}
