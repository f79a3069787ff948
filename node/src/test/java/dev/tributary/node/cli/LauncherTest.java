package dev.tributary.node.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./tributary} launcher's rule for rebuilding, run by bash on a copy of the repository's
 * layout: the launcher itself, and an empty pom and source file in every module.
 */
class LauncherTest {

  private static final Instant NOW = Instant.now();
  private static final FileTime BEFORE_BUILD = FileTime.from(NOW.minusSeconds(100));
  private static final FileTime BUILT = FileTime.from(NOW.minusSeconds(50));
  private static final FileTime AFTER_BUILD = FileTime.from(NOW);

  @TempDir Path copy;

  /** Every pom and main source file of the copy: a change in any of them must mean "rebuild". */
  private final List<Path> watched = new ArrayList<>();
  private Path jar;

  /** The repository: surefire runs in the module's directory, node/. */
  private static Path repository() {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertTrue(Files.isRegularFile(root.resolve("tributary")), "no launcher in " + root);
    return root;
  }

  private Path file(Path path, FileTime time) throws IOException {
    Files.createDirectories(path.getParent());
    Files.writeString(path, "");
    Files.setLastModifiedTime(path, time);
    return path;
  }

  @BeforeEach
  void copyTheLayout() throws IOException {
    Path repo = repository();
    Files.copy(repo.resolve("tributary"), copy.resolve("tributary"));
    watched.add(file(copy.resolve("pom.xml"), BEFORE_BUILD));
    List<String> withSources = new ArrayList<>();
    try (DirectoryStream<Path> modules = Files.newDirectoryStream(repo, Files::isDirectory)) {
      for (Path module : modules) {
        String name = module.getFileName().toString();
        if (Files.isRegularFile(module.resolve("pom.xml"))) {
          watched.add(file(copy.resolve(name).resolve("pom.xml"), BEFORE_BUILD));
        }
        if (Files.isDirectory(module.resolve("src/main"))) {
          withSources.add(name);
          watched.add(file(copy.resolve(name).resolve("src/main/java/Some.java"), BEFORE_BUILD));
          watched.add(file(copy.resolve(name).resolve("src/main/resources/some.conf"), BEFORE_BUILD));
        }
      }
    }
    assertTrue(withSources.containsAll(List.of("protocol", "persistence-journal", "http-admin", "node")),
        "modules with sources: " + withSources);
    // A module the launcher has never heard of counts too.
    watched.add(file(copy.resolve("some-new-module/pom.xml"), BEFORE_BUILD));
    watched.add(file(copy.resolve("some-new-module/src/main/java/New.java"), BEFORE_BUILD));
    Files.createDirectories(copy.resolve("node/target/lib"));
    jar = file(copy.resolve("node/target/tributary-node-0.1.0-SNAPSHOT.jar"), BUILT);
    // Folders too: one changes when a file in it is added or removed, which also means "rebuild".
    try (var all = Files.walk(copy)) {
      for (Path dir : all.filter(Files::isDirectory).toList()) {
        Files.setLastModifiedTime(dir, BEFORE_BUILD);
      }
    }
  }

  /** What the copy's launcher says: "rebuild" or "up to date". */
  private String rule() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("bash", "-c",
        "source \"$1\" && if needs_build; then echo rebuild; else echo up to date; fi", "bash",
        copy.resolve("tributary").toString())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "bash did not finish");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void aChangedPomOrSourceFileInAnyModuleMeansRebuild() throws Exception {
    assertEquals("up to date", rule());
    for (Path changed : watched) {
      Files.setLastModifiedTime(changed, AFTER_BUILD);
      assertEquals("rebuild", rule(), copy.relativize(changed) + " changed");
      Files.setLastModifiedTime(changed, BEFORE_BUILD);
    }
  }

  @Test
  void aDeletedSourceFileMeansRebuild() throws Exception {
    Files.delete(copy.resolve("http-admin/src/main/java/Some.java"));
    assertEquals("rebuild", rule());
  }

  @Test
  void testsDocsAndTheBuildOutputDoNotMeanRebuild() throws Exception {
    file(copy.resolve("node/src/test/java/SomeTest.java"), AFTER_BUILD);
    file(copy.resolve("docs/BENCHMARKS.md"), AFTER_BUILD);
    file(copy.resolve("node/target/lib/some.jar"), AFTER_BUILD);
    assertEquals("up to date", rule());
  }

  @Test
  void aMissingJarOrLibraryFolderMeansRebuild() throws Exception {
    Files.delete(copy.resolve("node/target/lib"));
    assertEquals("rebuild", rule());
    Files.createDirectories(copy.resolve("node/target/lib"));
    Files.delete(jar);
    assertEquals("rebuild", rule());
  }
}
