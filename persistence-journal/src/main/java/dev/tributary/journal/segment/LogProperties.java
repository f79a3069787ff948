package dev.tributary.journal.segment;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A log's own small key-value record ({@value LogFiles#LOG_PROPERTIES}), kept by the log's user
 * (a partition stores its topic id there). Java properties text, UTF-8; written
 * through a fsynced temporary file and a rename, so it is always whole.
 */
final class LogProperties {

  private LogProperties() {}

  /** The stored properties, empty when the log has none. Serial queue of the log. */
  static Map<String, String> read(Path dir) throws IOException {
    Path file = dir.resolve(LogFiles.LOG_PROPERTIES);
    if (!Files.exists(file)) {
      return Map.of();
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IllegalArgumentException e) {
      throw new IOException(file + " is damaged (" + e.getMessage() + "): restore it or delete the log", e);
    }
    Map<String, String> out = new TreeMap<>();
    properties.stringPropertyNames().forEach(key -> out.put(key, properties.getProperty(key)));
    return Map.copyOf(out);
  }

  /** Replaces the stored properties. Serial queue of the log. */
  static void write(Path dir, Map<String, String> properties) throws IOException {
    Properties stored = new Properties();
    stored.putAll(properties);
    StringWriter text = new StringWriter();
    stored.store(text, null); // escapes keys and values; its first line is a date comment
    Files.createDirectories(dir);
    LogFiles.writeAtomically(dir.resolve(LogFiles.LOG_PROPERTIES), text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
