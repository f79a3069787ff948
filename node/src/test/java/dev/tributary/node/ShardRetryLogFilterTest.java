package dev.tributary.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

class ShardRetryLogFilterTest {

  private final LoggerContext context = new LoggerContext();
  private final ShardRetryLogFilter filter = new ShardRetryLogFilter();

  private FilterReply decide(String logger, String message) {
    return filter.decide(new LoggingEvent("test", context.getLogger(logger), Level.WARN, message, null, null));
  }

  @Test
  void onlyTheRegionsRepeatedRetryWarningIsDropped() {
    String retry = "partition: Requested shard homes [pinned-1] from coordinator at [Actor[pekko://tributary/system/"
        + "sharding/partitionCoordinator/singleton/coordinator#448572844]]. [1] total buffered messages.";
    assertEquals(FilterReply.DENY, decide(ShardRetryLogFilter.REGION_LOGGER, retry));
    assertEquals(FilterReply.NEUTRAL, decide(ShardRetryLogFilter.REGION_LOGGER,
        "partition: Buffer is full, dropping message for shard [pinned-1]"), "other sharding warnings pass");
    assertEquals(FilterReply.NEUTRAL, decide("dev.tributary.node.Broker", retry), "other loggers pass");
  }
}
