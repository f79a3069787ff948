package dev.tributary.protocol.message;

import dev.tributary.protocol.CborSerializable;

/**
 * A broker as the controller registered it.
 *
 * @param address the broker's Artery {@code host:port}
 * @param epoch this incarnation's broker epoch (the index of its registration in the controller's
 *     log): each start, and each return after being fenced, gets a higher one
 * @param status {@code Registered} while its session is alive, {@code Fenced} once it expired
 * @param directoryId the UUID written when the broker's data directory was formatted
 * @param newDirectory whether this registration came with another directory than the broker's
 *     previous one (an empty disk under the same id: it holds none of its old data)
 * @param kafkaAddress the advertised {@code host:port} of the broker's Kafka-protocol listener, for
 *     a Kafka Metadata response to name every broker's endpoint; "" when it has none
 */
public record BrokerInfo(int id, String address, long epoch, String status, String directoryId, boolean newDirectory,
    String kafkaAddress) implements CborSerializable {

  public static final String REGISTERED = "Registered";
  public static final String FENCED = "Fenced";

  public BrokerInfo {
    // Written by a broker from before Kafka listeners (and so decoded without the field): it has none.
    kafkaAddress = kafkaAddress == null ? "" : kafkaAddress;
  }

  public boolean fenced() {
    return FENCED.equals(status);
  }
}
