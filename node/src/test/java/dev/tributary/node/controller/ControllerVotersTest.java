package dev.tributary.node.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ControllerVotersTest {

  @Test
  void validListIsOrderedByIdAndRoundTripsThroughToString() {
    ControllerVoters voters = ControllerVoters.parse(" 2@c.example:26612 , 0@127.0.0.1:26610,1@b:26611 ");

    assertEquals(List.of(
        new ControllerVoters.Voter(0, "127.0.0.1", 26610),
        new ControllerVoters.Voter(1, "b", 26611),
        new ControllerVoters.Voter(2, "c.example", 26612)), voters.voters());
    assertEquals("0@127.0.0.1:26610,1@b:26611,2@c.example:26612", voters.toString());
    assertEquals(voters, ControllerVoters.parse(voters.toString()));
    assertEquals("b:26611", voters.voter(1).orElseThrow().address());
    assertTrue(voters.voter(3).isEmpty());
  }

  @Test
  void portBoundsAreAccepted() {
    ControllerVoters voters = ControllerVoters.parse("0@h:1,1@h:65535");
    assertEquals(List.of(1, 65535), voters.voters().stream().map(ControllerVoters.Voter::port).toList());
  }

  @Test
  void emptySettingMeansNoVoters() {
    for (String setting : new String[] {"", "   ", null}) {
      ControllerVoters voters = ControllerVoters.parse(setting);
      assertTrue(voters.isEmpty(), "'" + setting + "'");
      assertEquals("", voters.toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "missing @           | 0@a:1,1-127.0.0.1:2 | '1-127.0.0.1:2'",
      "missing port        | 0@host              | '0@host'",
      "empty port          | 0@host:             | '0@host:'",
      "missing host        | 0@:26610            | '0@:26610'",
      "non-numeric id      | x@host:26610        | 'x@host:26610'",
      "non-numeric port    | 0@host:http         | '0@host:http'",
      "port 0              | 0@host:0            | port 0",
      "port 70000          | 0@host:70000        | port 70000",
      "duplicate id        | 0@a:1,0@b:2         | broker id 0",
      "negative id         | -1@host:26610       | broker id -1",
      "trailing comma      | 0@a:1,              | ''",
  })
  void badFormNamesTheBadPartAndTheExpectedForm(String what, String setting, String badPart) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ControllerVoters.parse(setting));
    assertTrue(e.getMessage().contains(badPart), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("ID@HOST:PORT"), what + ": " + e.getMessage());
    assertTrue(e.getMessage().contains("--controller-voters"), what + ": " + e.getMessage());
  }
}
