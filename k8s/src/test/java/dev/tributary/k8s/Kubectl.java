package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize}, as {@code kubectl apply -k} would. The
 * binary is {@code $KUBECTL} when set, else the first {@code kubectl} on the PATH.
 */
final class Kubectl {

  private static final long TIMEOUT_SECONDS = 60;

  private Kubectl() {}

  /** The rendered objects of {@code dir}, as one multi-document YAML string. */
  static String kustomize(Path dir) {
    Path kubectl = find().orElseGet(() -> fail("kubectl is needed to render the manifests (kubectl kustomize) and"
        + " was not found on the PATH: install it (Debian: apt-get install kubernetes-client; .ci/run does)"
        + " or set KUBECTL to its path"));
    try {
      Path err = Files.createTempFile("kubectl", ".err");
      try {
        Process process = new ProcessBuilder(kubectl.toString(), "kustomize", dir.toString())
            .redirectError(err.toFile())
            .start();
        process.getOutputStream().close();
        // Read before waiting: a pipe left full would stop kubectl.
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return fail(kubectl + " kustomize " + dir + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        if (process.exitValue() != 0) {
          return fail(kubectl + " kustomize " + dir + " failed (exit " + process.exitValue() + "): "
              + Files.readString(err).strip());
        }
        return out;
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      return fail("could not run " + kubectl + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while " + kubectl + " ran");
    }
  }

  private static Optional<Path> find() {
    String configured = System.getenv("KUBECTL");
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured);
      if (!Files.isExecutable(path)) {
        fail("KUBECTL=" + configured + " is not an executable file");
      }
      return Optional.of(path);
    }
    String searchPath = System.getenv().getOrDefault("PATH", "");
    for (String dir : searchPath.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "kubectl");
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
