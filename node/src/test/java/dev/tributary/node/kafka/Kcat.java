package dev.tributary.node.kafka;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where kcat is (Debian's {@code kcat} package, which {@code .ci/run} installs); {@code KCAT=PATH} names another. */
final class Kcat {

  private Kcat() {}

  static String path() {
    String named = System.getenv("KCAT");
    if (named != null && !named.isBlank()) {
      return named;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "kcat");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail("kcat is needed for the Kafka protocol tests: apt-get install kcat (.ci/run installs it), or KCAT=PATH");
  }
}
