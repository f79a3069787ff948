package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigResolver;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import dev.tributary.node.cli.StartOptions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker as one pod of the StatefulSet starts it: the container's environment and arguments as
 * the kubelet expands them, the start command line as the CLI parses it, and the configuration the
 * JVM loads (the ConfigMap's file given by {@code -Dconfig.file} over the reference.conf of
 * everything on node's classpath, {@code ${?VAR}} taken from the container's environment, not from
 * this JVM's). The listeners follow the broker's own precedence: a CLI flag over the configuration.
 */
final class BrokerPod {

  /** The JVM options variable of the image's entrypoint (Dockerfile), as of ./tributary. */
  static final String JAVA_OPTS = "TRIBUTARY_JAVA_OPTS";

  /** Options agreed with the broker that its CLI may not have yet; any other unknown argument fails. */
  private static final Set<String> AGREED_OPTIONS = Set.of("--discovery");

  private static final Set<String> NOTED = ConcurrentHashMap.newKeySet();
  private static final Pattern DOLLAR_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  final StatefulSet statefulSet;
  final Container container;
  final String podName;
  final Map<String, String> env;
  final List<String> args;
  final StartOptions start;
  /** The ConfigMap and key that -Dconfig.file names. */
  final ConfigMap configMap;
  final String configKey;
  final Config config;

  private BrokerPod(StatefulSet statefulSet, Container container, String podName, Map<String, String> env,
      List<String> args, StartOptions start, ConfigMap configMap, String configKey, Config config) {
    this.statefulSet = statefulSet;
    this.container = container;
    this.podName = podName;
    this.env = env;
    this.args = args;
    this.start = start;
    this.configMap = configMap;
    this.configKey = configKey;
    this.config = config;
  }

  static BrokerPod of(Manifests manifests, int ordinal) {
    StatefulSet statefulSet = manifests.one(StatefulSet.class);
    List<Container> containers = statefulSet.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), "containers of the broker pod");
    Container container = containers.get(0);
    assertTrue(container.getCommand() == null || container.getCommand().isEmpty(),
        "the container runs the image's entrypoint (the CLI), with args only; command: " + container.getCommand());
    assertTrue(container.getEnvFrom() == null || container.getEnvFrom().isEmpty(), "no envFrom: every variable is in env");
    String podName = statefulSet.getMetadata().getName() + "-" + ordinal;
    Map<String, String> env = environment(container, podName, ordinal);

    List<String> args = new ArrayList<>();
    for (String arg : container.getArgs()) {
      args.add(expand(arg, env));
    }
    assertTrue(!args.isEmpty() && args.get(0).equals(StartOptions.commandName()),
        "the container's args start with the CLI's " + StartOptions.commandName() + " subcommand: " + args);
    StartOptions start = StartOptions.parse(args.subList(1, args.size()));
    checkUnmatched(start);

    Map<String, String> systemProperties = systemProperties(env.getOrDefault(JAVA_OPTS, ""));
    String configFile = systemProperties.remove("config.file");
    if (configFile == null) {
      fail(JAVA_OPTS + " has no -Dconfig.file: the ConfigMap's application.conf would not be read");
    }
    Path file = Path.of(configFile);
    VolumeMount mount = container.getVolumeMounts().stream()
        .filter(m -> Path.of(m.getMountPath()).equals(file.getParent()))
        .findFirst()
        .orElseGet(() -> fail("-Dconfig.file=" + configFile + " is in no mounted volume"));
    Volume volume = statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(mount.getName()))
        .findFirst()
        .orElseGet(() -> fail("no volume " + mount.getName() + " for the mount at " + mount.getMountPath()));
    if (volume.getConfigMap() == null) {
      fail("-Dconfig.file=" + configFile + " is on volume " + volume.getName() + ", which is not a ConfigMap");
    }
    assertTrue(volume.getConfigMap().getItems() == null || volume.getConfigMap().getItems().isEmpty(),
        "the config volume maps every key to a file of its name (no items)");
    ConfigMap configMap = manifests.named(ConfigMap.class, volume.getConfigMap().getName());
    String key = file.getFileName().toString();
    String text = configMap.getData() == null ? null : configMap.getData().get(key);
    if (text == null) {
      fail("ConfigMap " + configMap.getMetadata().getName() + " has no key " + key + " (-Dconfig.file=" + configFile + ")");
    }
    Config config = load(text, "ConfigMap " + configMap.getMetadata().getName() + " " + key, systemProperties, env);
    return new BrokerPod(statefulSet, container, podName, env, args, start, configMap, key, config);
  }

  /** Artery's port: --port, whose default is the broker's (BrokerSettings sets the canonical port from it). */
  int remotingPort() {
    return ((Number) start.value("--port").orElseGet(() -> fail("the CLI has no --port default"))).intValue();
  }

  /** Pekko Management's port (the probes, bootstrap's contact points). */
  int managementPort() {
    return flagOr("--management-port", "tributary.management.port");
  }

  /** The admin API's port. */
  int adminPort() {
    return flagOr("--admin-port", "tributary.admin.port");
  }

  /** The Kafka protocol listener's port. */
  int kafkaPort() {
    return flagOr("--kafka-port", "tributary.kafka.port");
  }

  /** The controller quorum's voters, "ID@HOST:PORT,...". */
  String voters() {
    return start.given("--controller-voters")
        ? (String) start.value("--controller-voters").orElseThrow()
        : config.getString("tributary.controller.voters");
  }

  Path dataDir() {
    return Path.of(String.valueOf(start.value("--data-dir").orElseGet(() -> fail("the CLI has no --data-dir"))));
  }

  /** A setting of the broker's configuration, or {@code agreed} with a note while node does not set it yet. */
  String settingOrAgreed(String path, String agreed) {
    if (config.hasPath(path)) {
      return config.getString(path);
    }
    if (NOTED.add(path)) {
      System.err.println("note: node's configuration has no " + path + " yet; checking against the value agreed"
          + " with the broker, " + agreed);
    }
    return agreed;
  }

  private int flagOr(String flag, String path) {
    if (start.given(flag)) {
      return ((Number) start.value(flag).orElseThrow()).intValue();
    }
    return config.getInt(path);
  }

  private static void checkUnmatched(StartOptions start) {
    List<String> unmatched = start.unmatched();
    for (int i = 0; i < unmatched.size(); i++) {
      String arg = unmatched.get(i);
      if (!AGREED_OPTIONS.contains(arg)) {
        fail("tributary start does not take " + arg + " (unmatched: " + unmatched + ")");
      }
      if (NOTED.add(arg)) {
        System.err.println("note: tributary start has no " + arg + " option yet (agreed with the broker)");
      }
      i++; // its value
    }
  }

  /** The container's variables as the kubelet sets them, the downward API filled in for this pod. */
  private static Map<String, String> environment(Container container, String podName, int ordinal) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      String value;
      if (var.getValueFrom() != null) {
        if (var.getValueFrom().getFieldRef() == null) {
          return fail("env " + var.getName() + ": only fieldRef is modelled here");
        }
        value = switch (var.getValueFrom().getFieldRef().getFieldPath()) {
          case "metadata.name" -> podName;
          case "metadata.namespace" -> "tributary-test";
          case "status.podIP" -> "10.0.0." + (10 + ordinal);
          default -> fail("env " + var.getName() + ": fieldRef " + var.getValueFrom().getFieldRef().getFieldPath()
              + " is not modelled here");
        };
      } else {
        // $(VAR) names a variable defined earlier in the list, as the kubelet expands it.
        value = expand(var.getValue() == null ? "" : var.getValue(), env);
      }
      if (env.put(var.getName(), value) != null) {
        fail("env " + var.getName() + " is set twice");
      }
    }
    return env;
  }

  /** Kubernetes' $(VAR) expansion; an undefined reference stays as written, as the kubelet leaves it. */
  static String expand(String text, Map<String, String> env) {
    Matcher m = DOLLAR_REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The -Dkey=value options of a JVM options string, split on whitespace as the entrypoint's shell does. */
  private static Map<String, String> systemProperties(String javaOpts) {
    Map<String, String> properties = new HashMap<>();
    for (String option : javaOpts.trim().split("\\s+")) {
      if (option.startsWith("-D")) {
        int eq = option.indexOf('=');
        properties.put(eq < 0 ? option.substring(2) : option.substring(2, eq), eq < 0 ? "" : option.substring(eq + 1));
      }
    }
    return properties;
  }

  /** As ConfigFactory.load() with -Dconfig.file in the pod: system properties, the file, every reference.conf. */
  private static Config load(String applicationConf, String origin, Map<String, String> systemProperties,
      Map<String, String> env) {
    Config application = ConfigFactory.parseString(applicationConf, ConfigParseOptions.defaults().setOriginDescription(origin));
    Config unresolved = ConfigFactory.parseMap(systemProperties, "-D options")
        .withFallback(application)
        .withFallback(ConfigFactory.defaultReferenceUnresolved());
    return unresolved.resolve(ConfigResolveOptions.defaults().setUseSystemEnvironment(false).appendResolver(new Env(env)));
  }

  /** The container's environment for ${?VAR} substitutions, in place of this JVM's. */
  private record Env(Map<String, String> variables) implements ConfigResolver {
    @Override
    public ConfigValue lookup(String path) {
      String value = variables.get(path);
      return value == null ? null : ConfigValueFactory.fromAnyRef(value, "the container's env " + path);
    }

    @Override
    public ConfigResolver withFallback(ConfigResolver fallback) {
      return this; // nothing else supplies values in the pod
    }
  }
}
