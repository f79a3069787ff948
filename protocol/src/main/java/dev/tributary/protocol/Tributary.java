package dev.tributary.protocol;

import dev.tributary.protocol.message.PartitionCommand;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/** Names and keys shared by brokers and clients. */
public final class Tributary {

  /** The ActorSystem name of every broker: clients address {@code pekko://tributary@host:port}. */
  public static final String SYSTEM_NAME = "tributary";

  /** The gateway's name under /user: control requests (metadata, topics, offsets). */
  public static final String GATEWAY_NAME = "gateway";

  /** The data gateway's name under /user: produce and fetch, on Artery's large-message channel. */
  public static final String DATA_GATEWAY_NAME = "tributary-data";

  /** The client's named actor that receives produce and fetch replies (a large destination too). */
  public static final String CLIENT_DATA_REPLIES_NAME = "tributary-data-replies";

  public static final int DEFAULT_PORT = 25520;

  /**
   * The largest produce batch and fetch size: Artery's large frame (4 MiB, tributary-remoting.conf)
   * less headroom for the envelope, since Artery drops an oversized message with only a log line.
   */
  public static final int MAX_BATCH_BYTES = 4 * 1024 * 1024 - 64 * 1024;

  /** Partitions are sharded entities with id {@code <topic>-<partition>}, one per shard. */
  public static final EntityTypeKey<PartitionCommand> PARTITION_ENTITY =
      EntityTypeKey.create(PartitionCommand.class, "partition");

  private Tributary() {}

  public static String gatewayPath(String host, int port) {
    return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port + "/user/" + GATEWAY_NAME;
  }

  public static String dataGatewayPath(String host, int port) {
    return "pekko://" + SYSTEM_NAME + "@" + host + ":" + port + "/user/" + DATA_GATEWAY_NAME;
  }
}
