package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tributary.protocol.Tributary;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The manifests against what the broker itself will do with them: the ports it listens on, the
 * pods its Cluster Bootstrap looks for, the health paths its Management serves, where it keeps its
 * data and how it learns its id. Every expected value comes from node's reference.conf, its CLI or
 * the rendered ConfigMap, never from a constant here.
 */
class BrokerContractTest {

  static final String HEADLESS = "tributary-headless";
  static final String ADMIN = "tributary-admin";

  static final String BOOTSTRAP = "pekko.management.cluster.bootstrap.contact-point-discovery.";
  static final String LABEL_SELECTOR = "pekko.discovery.kubernetes-api.pod-label-selector";

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theContainerPortsAreTheOnesTheBrokerListensOn(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    Map<String, Integer> expected = new LinkedHashMap<>();
    expected.put("remoting", pod.remotingPort());
    expected.put("management", pod.managementPort());
    expected.put("admin", pod.adminPort());
    expected.put("kafka", pod.kafkaPort());
    expected.put("controller", Voter.parseAll(pod.voters()).get(0).port());
    assertEquals(expected, containerPorts(pod.container), overlay + ": container ports by name");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theHeadlessServiceCarriesRemotingManagementKafkaAndTheControllerQuorum(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    Service headless = overlay.manifests().named(Service.class, HEADLESS);
    assertEquals("None", headless.getSpec().getClusterIP(), "a headless Service: one DNS name per broker");
    assertEquals(Boolean.TRUE, headless.getSpec().getPublishNotReadyAddresses(),
        "brokers must find each other (Raft, Artery) before any of them is ready");
    assertEquals(HEADLESS, pod.statefulSet.getSpec().getServiceName(), "the StatefulSet's governing Service");
    // A headless Service's DNS names lead straight to the pods: its ports must be the containers'.
    Map<String, Integer> expected = Map.of(
        "remoting", pod.remotingPort(),
        "management", pod.managementPort(),
        "kafka", pod.kafkaPort(),
        "controller", Voter.parseAll(pod.voters()).get(0).port());
    assertEquals(expected, servicePorts(headless, pod.container), overlay + ": " + HEADLESS + " ports by name");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theAdminServiceReachesTheAdminApiBoundToEveryInterface(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    Service admin = overlay.manifests().named(Service.class, ADMIN);
    assertEquals(Map.of("admin", pod.adminPort()), servicePorts(admin, pod.container), overlay + ": " + ADMIN + " ports");
    assertEquals("0.0.0.0", pod.config.getString("tributary.admin.interface"),
        "the admin API must listen beyond loopback for the Service to reach it (TRIBUTARY_ADMIN_INTERFACE)");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everySelectorMatchesThePodTemplatesLabels(Overlay overlay) {
    Manifests m = overlay.manifests();
    StatefulSet statefulSet = m.one(StatefulSet.class);
    Map<String, String> podLabels = statefulSet.getSpec().getTemplate().getMetadata().getLabels();
    assertSelects(podLabels, statefulSet.getSpec().getSelector().getMatchLabels(), "the StatefulSet's selector");
    assertTrue(statefulSet.getSpec().getSelector().getMatchExpressions() == null
        || statefulSet.getSpec().getSelector().getMatchExpressions().isEmpty(), "selectors by labels only");
    for (Service service : m.all(Service.class)) {
      assertSelects(podLabels, service.getSpec().getSelector(), "Service " + service.getMetadata().getName());
    }
    PodDisruptionBudget budget = m.one(PodDisruptionBudget.class);
    assertSelects(podLabels, budget.getSpec().getSelector().getMatchLabels(), "the PodDisruptionBudget");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void thePodsCarryTheLabelClusterBootstrapLooksFor(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    String serviceName = pod.settingOrAgreed(BOOTSTRAP + "service-name", "tributary");
    if (serviceName.equals("<service-name>")) {
      serviceName = Tributary.SYSTEM_NAME; // bootstrap's own default: the actor system's name
    }
    String selector = String.format(pod.settingOrAgreed(LABEL_SELECTOR, "app.kubernetes.io/name=%s"), serviceName);
    Map<String, String> wanted = Arrays.stream(selector.split(","))
        .map(String::trim)
        .map(term -> {
          String[] kv = term.split("=", 2);
          if (kv.length != 2 || kv[0].endsWith("!")) {
            return fail("only key=value terms are checked here, not " + term + " (" + LABEL_SELECTOR + ")");
          }
          return kv;
        })
        .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
    assertSelects(pod.statefulSet.getSpec().getTemplate().getMetadata().getLabels(), wanted,
        "Cluster Bootstrap's pod label selector " + selector);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void bootstrapFindsTheManagementPortByItsName(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    String portName = pod.settingOrAgreed(BOOTSTRAP + "port-name", "management");
    assertEquals(pod.managementPort(), containerPorts(pod.container).get(portName),
        "the container port named " + portName + " (" + BOOTSTRAP + "port-name) is Management's");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theProbesAskManagementsReadinessAndLivenessPaths(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    String basePath = pod.config.getString("pekko.management.http.base-path");
    assertProbe(pod, pod.container.getReadinessProbe(), "readiness",
        managementPath(basePath, pod.config.getString("pekko.management.health-checks.readiness-path")));
    assertProbe(pod, pod.container.getLivenessProbe(), "liveness",
        managementPath(basePath, pod.config.getString("pekko.management.health-checks.liveness-path")));
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theBrokerListensOnThePodsIpAndJoinsThroughTheKubernetesApi(Overlay overlay) {
    BrokerPod pod = overlay.pod(overlay.brokers - 1);
    assertEquals(pod.env.get("POD_IP"), pod.start.value("--host").orElseThrow(),
        "Artery and Management listen on the pod's IP (--host $(POD_IP))");
    assertFalse(pod.start.given("--seed"), "no seeds: Cluster Bootstrap finds the brokers");
    if (pod.start.knows("--discovery")) {
      assertEquals("kubernetes-api", pod.start.value("--discovery").orElseThrow(), "--discovery");
    } else {
      int at = pod.args.indexOf("--discovery");
      assertTrue(at > 0 && at + 1 < pod.args.size() && pod.args.get(at + 1).equals("kubernetes-api"),
          "--discovery kubernetes-api in " + pod.args);
    }
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theBrokerIdIsThePodsOrdinal(Overlay overlay) {
    int last = overlay.brokers - 1;
    BrokerPod pod = overlay.pod(last);
    assertFalse(pod.start.given("--node-id"), "no --node-id: the broker takes its id from POD_NAME's ordinal");
    assertFalse(pod.env.containsKey("TRIBUTARY_NODE_ID"), "no TRIBUTARY_NODE_ID: it would give every pod the same id");
    EnvVar podName = env(pod.container, "POD_NAME");
    assertNotNull(podName.getValueFrom(), "POD_NAME from the downward API");
    assertEquals("metadata.name", podName.getValueFrom().getFieldRef().getFieldPath(), "POD_NAME");
    assertEquals("tributary-" + last, pod.env.get("POD_NAME"), "pod " + last + "'s name ends in its ordinal");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theDataDirectoryIsTheVolumeClaimsMount(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    List<PersistentVolumeClaim> claims = pod.statefulSet.getSpec().getVolumeClaimTemplates();
    assertEquals(1, claims.size(), "one volume claim per broker");
    String claim = claims.get(0).getMetadata().getName();
    List<String> mountedAt = pod.container.getVolumeMounts().stream()
        .filter(mount -> mount.getName().equals(claim))
        .map(mount -> mount.getMountPath())
        .toList();
    assertEquals(List.of(pod.dataDir()), mountedAt.stream().map(Path::of).toList(),
        "the claim " + claim + " is mounted once, at --data-dir");
    assertNotNull(claims.get(0).getSpec().getResources().getRequests().get("storage"), "the claim's size");
  }

  private static void assertProbe(BrokerPod pod, Probe probe, String which, String path) {
    assertNotNull(probe, which + " probe");
    HTTPGetAction get = probe.getHttpGet();
    assertNotNull(get, which + " probe is an HTTP GET");
    assertEquals(path, get.getPath(), which + " probe path (Management serves it there)");
    assertEquals("management", get.getPort().getStrVal(), which + " probe port: the named management port");
    assertEquals(pod.managementPort(), containerPorts(pod.container).get("management"), "the management port");
  }

  /** Where Pekko Management serves {@code path} below {@code basePath} ("" for none). */
  static String managementPath(String basePath, String path) {
    return "/" + Stream.of(basePath, path)
        .map(p -> p.replaceAll("^/+|/+$", ""))
        .filter(p -> !p.isEmpty())
        .collect(Collectors.joining("/"));
  }

  static Map<String, Integer> containerPorts(Container container) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (ContainerPort port : container.getPorts()) {
      assertNotNull(port.getName(), "every container port is named: port " + port.getContainerPort());
      assertTrue(port.getProtocol() == null || port.getProtocol().equals("TCP"), "TCP: " + port.getName());
      if (ports.put(port.getName(), port.getContainerPort()) != null) {
        fail("two container ports named " + port.getName());
      }
    }
    return ports;
  }

  /** A Service's ports by name, each checked to lead to the container port of the same number. */
  static Map<String, Integer> servicePorts(Service service, Container container) {
    Map<String, Integer> byName = containerPorts(container);
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (ServicePort port : service.getSpec().getPorts()) {
      String name = service.getMetadata().getName() + " port " + port.getName();
      assertNotNull(port.getTargetPort(), name + " has a targetPort");
      String target = port.getTargetPort().getStrVal();
      assertNotNull(target, name + " targets a container port by name, not by number");
      assertEquals(byName.get(target), port.getPort(), name + " has the number of the container port " + target);
      ports.put(port.getName(), port.getPort());
    }
    return ports;
  }

  static EnvVar env(Container container, String name) {
    return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
        .orElseGet(() -> fail("no env " + name));
  }

  private static void assertSelects(Map<String, String> labels, Map<String, String> selector, String what) {
    assertNotNull(selector, what + " has a selector");
    assertFalse(selector.isEmpty(), what + " selects by at least one label");
    for (Map.Entry<String, String> term : selector.entrySet()) {
      assertEquals(term.getValue(), labels.get(term.getKey()), what + ": the pods' label " + term.getKey());
    }
  }
}
