package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** rpk's offset forms for {@code consume --offset}, parsed and resolved without a broker. */
class StartOffsetTest {

  static Stream<Arguments> forms() {
    long noon = Instant.parse("2026-11-26T12:00:00Z").toEpochMilli();
    return Stream.of(
        Arguments.of("start", new StartOffset.Start()),
        Arguments.of("end", new StartOffset.End()),
        Arguments.of("0", new StartOffset.Exact(0)),
        Arguments.of("42", new StartOffset.Exact(42)),
        Arguments.of("+3", new StartOffset.AfterStart(3)),
        Arguments.of("-3", new StartOffset.BeforeEnd(3)),
        Arguments.of("@1764158400000", new StartOffset.AtTime(1764158400000L)),
        Arguments.of("@2026-11-26T12:00:00Z", new StartOffset.AtTime(noon)),
        Arguments.of("@2026-11-26T13:00:00+01:00", new StartOffset.AtTime(noon)),
        Arguments.of("@2026-11-26T12:00:00.250Z", new StartOffset.AtTime(noon + 250)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forms")
  void parsesRpksForms(String text, StartOffset expected) {
    assertEquals(expected, StartOffset.parse(text));
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "first", "+", "-", "+-3", "--3", "1.5", "0x10", "99999999999999999999", "@", "@yesterday",
      "@2026-11-26", "@-5", "start+1", "oldest", "START"})
  void refusesAnythingElseSayingWhatItTakes(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StartOffset.parse(text));
    assertTrue(e.getMessage().contains("got '" + text + "'"), e.getMessage());
  }

  @Test
  void theConverterMakesABadOffsetAUsageError() {
    assertThrows(picocli.CommandLine.TypeConversionException.class, () -> new StartOffset.Converter().convert("x"));
  }

  @Test
  void relativeOffsetsStayInsideTheLog() {
    // a log from offset 5 to 8 (exclusive): records 5, 6, 7
    assertEquals(5, new StartOffset.Start().resolve(5, 8));
    assertEquals(8, new StartOffset.End().resolve(5, 8));
    assertEquals(6, new StartOffset.Exact(6).resolve(5, 8));
    assertEquals(7, new StartOffset.AfterStart(2).resolve(5, 8));
    assertEquals(8, new StartOffset.AfterStart(10).resolve(5, 8), "past the end: the end");
    assertEquals(6, new StartOffset.BeforeEnd(2).resolve(5, 8));
    assertEquals(5, new StartOffset.BeforeEnd(10).resolve(5, 8), "before the start: the start");
    assertEquals(0, new StartOffset.BeforeEnd(1).resolve(0, 0), "an empty log");
    assertThrows(IllegalStateException.class, () -> new StartOffset.AtTime(0).resolve(5, 8));
  }
}
