package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/** One entry of tributary.controller.voters, "ID@HOST:PORT". */
record Voter(int id, String host, int port) {

  static List<Voter> parseAll(String voters) {
    List<Voter> all = new ArrayList<>();
    for (String entry : voters.split(",")) {
      String e = entry.trim();
      int at = e.indexOf('@');
      int colon = e.lastIndexOf(':');
      if (at <= 0 || colon < at) {
        return fail("a voter is ID@HOST:PORT, not " + e + " (in " + voters + ")");
      }
      try {
        all.add(new Voter(Integer.parseInt(e.substring(0, at)), e.substring(at + 1, colon),
            Integer.parseInt(e.substring(colon + 1))));
      } catch (NumberFormatException bad) {
        return fail("a voter is ID@HOST:PORT, not " + e + " (in " + voters + ")");
      }
    }
    return all;
  }
}
