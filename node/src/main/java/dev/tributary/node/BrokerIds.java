package dev.tributary.node;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  /** The environment variable that names this broker's id when no {@code --node-id} is given. */
  public static final String NODE_ID_ENV = "TRIBUTARY_NODE_ID";

  /** The pod name a StatefulSet gives each pod ({@code <set>-<ordinal>}), from the downward API. */
  public static final String POD_NAME_ENV = "POD_NAME";

  private static final Pattern STATEFUL_SET_POD = Pattern.compile(".+-(\\d{1,9})");

  /**
   * The id of a broker started without {@code --node-id}: {@value #NODE_ID_ENV} when set, else the
   * ordinal of a StatefulSet pod named in {@value #POD_NAME_ENV} ({@code tributary-2} is broker 2,
   * so a pod keeps its id, and with it its volume's data, across restarts), else 0. Only
   * {@code POD_NAME} counts, not {@code HOSTNAME}: a laptop called {@code build-3} is not broker 3.
   *
   * @throws IllegalArgumentException naming the variable when its value is not a usable id
   */
  public static int fromEnvironment(Map<String, String> env) {
    String configured = env.get(NODE_ID_ENV);
    if (configured != null && !configured.isBlank()) {
      try {
        int id = Integer.parseInt(configured.trim());
        if (id >= 0) {
          return id;
        }
      } catch (NumberFormatException notANumber) {
        // refused below, with the same message as a negative id
      }
      throw new IllegalArgumentException(NODE_ID_ENV + "=" + configured + " is not a broker id: give a whole number "
          + "0 or more, or unset it (a StatefulSet pod takes its ordinal from " + POD_NAME_ENV + ")");
    }
    String pod = env.get(POD_NAME_ENV);
    if (pod != null) {
      Matcher ordinal = STATEFUL_SET_POD.matcher(pod.trim());
      if (ordinal.matches()) {
        return Integer.parseInt(ordinal.group(1));
      }
      throw new IllegalArgumentException(POD_NAME_ENV + "=" + pod + " does not end in a StatefulSet ordinal "
          + "(<name>-<n>): give the broker's id with --node-id or " + NODE_ID_ENV);
    }
    return 0;
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
