package dev.tributary.node;

import org.apache.pekko.cluster.Member;

/**
 * Broker ids travel with cluster membership as the role {@code broker-id-<id>}, so every node
 * knows every broker's id (replica sets name broker ids, never addresses: ARCHITECTURE.md).
 */
public final class BrokerIds {

  static final String ROLE_PREFIX = "broker-id-";

  private BrokerIds() {}

  /** The role a broker with this id joins with. */
  static String role(int brokerId) {
    return ROLE_PREFIX + brokerId;
  }

  /** A member's broker id, or -1 for a member that is not a broker. */
  public static int of(Member member) {
    for (String role : member.getRoles()) {
      if (role.startsWith(ROLE_PREFIX)) {
        try {
          return Integer.parseInt(role.substring(ROLE_PREFIX.length()));
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
