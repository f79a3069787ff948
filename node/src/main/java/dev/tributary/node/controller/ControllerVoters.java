package dev.tributary.node.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The fixed set of brokers whose Raft group commits the controller's log, as Kafka's
 * {@code controller.quorum.voters}: {@code 0@host:port,1@host:port,2@host:port}, each a broker
 * id and the address its quorum server listens on. Empty means "this broker alone", a group of
 * one (the single-node default).
 */
public record ControllerVoters(List<Voter> voters) {

  /** One voter: a broker id and its quorum address. */
  public record Voter(int brokerId, String host, int port) {
    public String address() {
      return host + ":" + port;
    }
  }

  public ControllerVoters {
    voters = List.copyOf(voters);
  }

  /**
   * Parses the setting.
   *
   * @throws IllegalArgumentException naming what is wrong and the expected form
   */
  public static ControllerVoters parse(String setting) {
    String trimmed = setting == null ? "" : setting.trim();
    if (trimmed.isEmpty()) {
      return new ControllerVoters(List.of());
    }
    TreeMap<Integer, Voter> byId = new TreeMap<>();
    for (String entry : trimmed.split(",", -1)) {
      String e = entry.trim();
      int at = e.indexOf('@');
      int colon = e.lastIndexOf(':');
      if (at <= 0 || colon < at + 2 || colon == e.length() - 1) {
        throw new IllegalArgumentException(problem("'" + e + "' is not ID@HOST:PORT"));
      }
      int id;
      int port;
      try {
        id = Integer.parseInt(e.substring(0, at));
        port = Integer.parseInt(e.substring(colon + 1));
      } catch (NumberFormatException notANumber) {
        throw new IllegalArgumentException(problem("'" + e + "' needs a numeric broker id and port"));
      }
      if (id < 0) {
        throw new IllegalArgumentException(problem("broker id " + id + " is negative"));
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(problem("port " + port + " in '" + e + "' is not between 1 and 65535"));
      }
      if (byId.put(id, new Voter(id, e.substring(at + 1, colon), port)) != null) {
        throw new IllegalArgumentException(problem("broker id " + id + " is named twice"));
      }
    }
    return new ControllerVoters(new ArrayList<>(byId.values()));
  }

  private static String problem(String what) {
    return "--controller-voters: " + what + "; give every voter as ID@HOST:PORT, comma separated, "
        + "e.g. 0@127.0.0.1:26610,1@127.0.0.1:26611,2@127.0.0.1:26612";
  }

  public boolean isEmpty() {
    return voters.isEmpty();
  }

  public Optional<Voter> voter(int brokerId) {
    return voters.stream().filter(v -> v.brokerId() == brokerId).findFirst();
  }

  @Override
  public String toString() {
    return String.join(",", voters.stream().map(v -> v.brokerId() + "@" + v.address()).toList());
  }
}
