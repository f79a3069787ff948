package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tributary.node.cli.StartOptions;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The image the StatefulSet runs, as the Dockerfile builds it (we cannot run Docker here): a Maven
 * stage and a JRE stage, the uid the pods run as, the ports they open, the data volume, and an
 * entrypoint that runs the CLI from files node's build really makes.
 */
class DockerfileTest {

  private static final Pattern BUILD_COMMAND = Pattern.compile("docker build -t (\\S+) \\.");
  private static final Pattern NODE_TARGET = Pattern.compile("--from=build /src/node/target/(\\S+)\\s+(\\S+)");

  private final Dockerfile dockerfile = Dockerfile.read();

  @Test
  void aMavenBuildStageThenAJre17Image() {
    assertEquals(2, dockerfile.stageCount(), "two stages: the Maven build, then the runtime");
    assertTrue(dockerfile.baseImage(0).startsWith("maven:") && dockerfile.baseImage(0).contains("17"),
        "the build stage is Maven on a JDK 17: " + dockerfile.baseImage(0));
    assertTrue(dockerfile.baseImage(1).matches("eclipse-temurin:17[.0-9]*-jre.*"),
        "the runtime is a JRE 17, no JDK or Maven: " + dockerfile.baseImage(1));
  }

  @Test
  void theEntrypointRunsTheCliFromTheJarAndLibrariesNodesBuildMakes() throws Exception {
    List<String> entrypoint = new ObjectMapper().readValue(dockerfile.last("ENTRYPOINT"), new TypeReference<>() {});
    assertEquals(List.of("/bin/sh", "-c"), entrypoint.subList(0, 2), "a shell splits the JVM options");
    String script = entrypoint.get(2);
    assertTrue(script.startsWith("exec java "), "exec: java is PID 1 and gets SIGTERM for the controlled shutdown: " + script);
    assertTrue(script.contains("$" + BrokerPod.JAVA_OPTS + " "), "the JVM options come from " + BrokerPod.JAVA_OPTS);
    assertTrue(script.endsWith(" \"$@\""), "the container's args are the CLI's arguments: " + script);
    Matcher cp = Pattern.compile("-cp '([^']+)' (\\S+)").matcher(script);
    assertTrue(cp.find(), "a class path and main class: " + script);
    String main = cp.group(2);
    assertEquals("dev.tributary.node.cli.TributaryCli", main, "the CLI's main class");
    Class.forName(main).getMethod("main", String[].class);
    assertTrue(StartOptions.isSubcommandOfTheCli(), "the CLI has start");

    // Each class path entry is a file the build stage copies out of node/target, and that file
    // is what node's build makes (this module's tests run after node's package phase).
    Path nodeTarget = Overlay.module().getParent().resolve("node").resolve("target");
    for (String entry : cp.group(1).split(":")) {
      String copied = entry.endsWith("/*") ? entry.substring(0, entry.length() - 1) : entry;
      String source = dockerfile.finalStage("COPY").stream()
          .map(NODE_TARGET::matcher)
          .filter(Matcher::matches)
          .filter(m -> m.group(2).equals(copied))
          .map(m -> m.group(1))
          .findFirst()
          .orElseGet(() -> fail("no COPY --from=build of node/target to " + copied));
      Path built = nodeTarget.resolve(source);
      assertTrue(entry.endsWith("/*") ? Files.isDirectory(built) : Files.isRegularFile(built),
          "node's build makes " + built + " (the class path entry " + entry + ")");
    }
  }

  @Test
  void theDefaultCommandStartsABrokerOnTheDataVolume() throws Exception {
    List<String> cmd = new ObjectMapper().readValue(dockerfile.last("CMD"), new TypeReference<>() {});
    assertEquals(StartOptions.commandName(), cmd.get(0), "CMD starts a broker");
    StartOptions start = StartOptions.parse(cmd.subList(1, cmd.size()));
    assertEquals(List.of(), start.unmatched(), "every CMD argument is a start option");
    assertTrue(volumes().contains(String.valueOf(start.value("--data-dir").orElseThrow())),
        "CMD's --data-dir is the image's VOLUME " + volumes());
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theImageIsTheOneTheStatefulSetRuns(Overlay overlay) {
    String image = overlay.pod(0).container.getImage();
    Matcher build = dockerfile.comments().stream().map(BUILD_COMMAND::matcher).filter(Matcher::find).findFirst()
        .orElseGet(() -> fail("the Dockerfile says how to build it: docker build -t NAME ."));
    assertEquals(image, build.group(1), "the documented build command tags the image the StatefulSet runs");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theImagesUserIsTheOneThePodsRunAs(Overlay overlay) {
    PodSecurityContext security = overlay.pod(0).statefulSet.getSpec().getTemplate().getSpec().getSecurityContext();
    String[] user = dockerfile.last("USER").split(":");
    assertTrue(user[0].matches("[0-9]+"), "a numeric USER, so runAsNonRoot can check it: " + user[0]);
    assertEquals(security.getRunAsUser(), Long.valueOf(user[0]), "USER and runAsUser");
    assertEquals(2, user.length, "USER names its group too");
    assertEquals(security.getRunAsGroup(), Long.valueOf(user[1]), "USER's group and runAsGroup");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theImageExposesThePortsThePodsOpenAndKeepsDataOnTheVolume(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    Set<Integer> exposed = new TreeSet<>();
    for (String line : dockerfile.finalStage("EXPOSE")) {
      Arrays.stream(line.split("\\s+")).map(p -> Integer.valueOf(p.replace("/tcp", ""))).forEach(exposed::add);
    }
    assertEquals(new TreeSet<>(BrokerContractTest.containerPorts(pod.container).values()), exposed,
        "EXPOSE and the container ports");
    assertTrue(volumes().contains(pod.dataDir().toString()), "the data directory " + pod.dataDir()
        + " is a VOLUME of the image: " + volumes());
  }

  private Set<String> volumes() {
    Set<String> volumes = new TreeSet<>();
    for (String line : dockerfile.finalStage("VOLUME")) {
      try {
        volumes.addAll(new ObjectMapper().readValue(line, new TypeReference<List<String>>() {}));
      } catch (Exception notJson) {
        volumes.addAll(List.of(line.split("\\s+")));
      }
    }
    return volumes;
  }
}
