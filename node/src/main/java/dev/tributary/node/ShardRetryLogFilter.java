package dev.tributary.node;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops Pekko's "Requested shard homes [...] from coordinator" warning, which a shard region
 * repeats every fifth retry (10 s) for as long as a partition's broker is away. That wait
 * is an expected condition: {@link PartitionAllocationStrategy} logs one line when it begins and
 * one when it ends. Every other sharding warning (a full buffer, an unreachable coordinator)
 * still passes. Used by {@code logback.xml}.
 */
public final class ShardRetryLogFilter extends Filter<ILoggingEvent> {

  static final String REGION_LOGGER = "org.apache.pekko.cluster.sharding.ShardRegion";
  /** The text of that warning in Pekko 1.2 ({@code ShardRegion.tryRequestShardBufferHomes}). */
  static final String RETRY_WARNING = "Requested shard homes [";

  @Override
  public FilterReply decide(ILoggingEvent event) {
    if (REGION_LOGGER.equals(event.getLoggerName())
        && event.getFormattedMessage().contains(RETRY_WARNING)) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
