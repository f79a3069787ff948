package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** kcat's and rpk's short flags mean what their long forms mean; no broker, parsing only. */
class ShortFlagsTest {

  /** The leaf command's matched options, by long name, as the values picocli converted them to. */
  private static Map<String, String> parsed(String... args) {
    CommandLine cli = TributaryCli.commandLine(null, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    CommandLine.ParseResult result = cli.parseArgs(args);
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    Map<String, String> values = new TreeMap<>();
    for (CommandLine.Model.OptionSpec o : result.matchedOptions()) {
      values.put(o.longestName(), String.valueOf((Object) o.getValue()));
    }
    return values;
  }

  @Test
  void consumeShortFlagsAreTheLongOnes() {
    Map<String, String> longForm = parsed("consume", "t", "--bootstrap", "h:1", "--partition", "2", "--offset", "+5",
        "--max-messages", "7", "--format", "%k=%s\\n");
    assertEquals(longForm, parsed("consume", "t", "-b", "h:1", "-p", "2", "-o", "+5", "-n", "7", "-f", "%k=%s\\n"));
    assertEquals(Map.of("--bootstrap", "h:1", "--partition", "2", "--offset", "AfterStart[n=5]",
        "--max-messages", "7", "--format", "%k=%s\\n"), longForm);
    assertEquals(parsed("consume", "t", "--group", "g"), parsed("consume", "t", "-g", "g"));
    assertEquals("g", parsed("consume", "t", "-g", "g").get("--group"));
  }

  @Test
  void aNegativeOffsetIsAValueNotAnOption() {
    assertEquals("BeforeEnd[n=3]", parsed("consume", "t", "-o", "-3").get("--offset"));
    assertEquals("BeforeEnd[n=3]", parsed("consume", "t", "--offset=-3").get("--offset"));
    assertEquals("Start[]", parsed("consume", "t", "-o", "start").get("--offset"));
  }

  @Test
  void topicCreateShortFlagsAreRpks() {
    Map<String, String> longForm = parsed("topic", "create", "t", "--partitions", "3", "--replication-factor", "2",
        "--config", "retention.ms=1000");
    assertEquals(longForm, parsed("topic", "create", "t", "-p", "3", "-r", "2", "-c", "retention.ms=1000"));
    assertEquals("3", longForm.get("--partitions"));
    assertEquals("2", longForm.get("--replication-factor"));
  }

  @Test
  void verifiableToolsTakeTheSameShortFlags() {
    assertEquals(parsed("verifiable-consumer", "--topic", "t", "--group-id", "g", "--max-messages", "5"),
        parsed("verifiable-consumer", "--topic", "t", "-g", "g", "-n", "5"));
    assertEquals(parsed("verifiable-producer", "--topic", "t", "--max-messages", "5", "--bootstrap", "h:1"),
        parsed("verifiable-producer", "--topic", "t", "-n", "5", "-b", "h:1"));
  }
}
