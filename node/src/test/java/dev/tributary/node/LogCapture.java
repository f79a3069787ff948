package dev.tributary.node;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The log events of this JVM while open, through an appender on the root logger (the global
 * streams stay as they are). For asserting how often an expected condition is logged.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  public LogCapture() {
    appender.start();
    root.addAppender(appender);
  }

  /** The events so far whose logger name starts with {@code loggerPrefix}. */
  public List<ILoggingEvent> from(String loggerPrefix) {
    synchronized (appender.list) {
      return appender.list.stream().filter(e -> e.getLoggerName().startsWith(loggerPrefix)).toList();
    }
  }

  /** How many events so far have a formatted message containing {@code text}. */
  public long count(String loggerPrefix, String text) {
    return from(loggerPrefix).stream().filter(e -> e.getFormattedMessage().contains(text)).count();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
  }
}
