package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How the brokers' pods run: started together and rolled one at a time, their identity from the
 * downward API, bounded resources with a heap that fits them, no root and no writable image, time
 * for a controlled shutdown, and the least the API allows them (read pods, nothing else).
 */
class PodSpecTest {

  /** What the JVM needs beyond heap and direct memory: metaspace, code cache, thread stacks, GC (bytes). */
  private static final long JVM_OVERHEAD = 256L << 20;

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void brokersStartTogetherAndRollOneAtATime(Overlay overlay) {
    StatefulSet statefulSet = overlay.manifests().one(StatefulSet.class);
    assertEquals("Parallel", statefulSet.getSpec().getPodManagementPolicy(),
        "a first start needs every broker up before any is ready: OrderedReady would wait forever");
    assertEquals("RollingUpdate", statefulSet.getSpec().getUpdateStrategy().getType(), "updateStrategy");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void thePodsNameIpAndNamespaceComeFromTheDownwardApi(Overlay overlay) {
    Container container = overlay.pod(0).container;
    Map<String, String> expected = Map.of("POD_NAME", "metadata.name", "POD_IP", "status.podIP",
        "POD_NAMESPACE", "metadata.namespace");
    for (Map.Entry<String, String> e : expected.entrySet()) {
      EnvVar var = BrokerContractTest.env(container, e.getKey());
      assertNotNull(var.getValueFrom(), e.getKey() + " from the downward API");
      assertEquals(e.getValue(), var.getValueFrom().getFieldRef().getFieldPath(), e.getKey());
    }
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void resourcesAreBoundedAndTheHeapAndDirectMemoryFitTheMemoryLimit(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    ResourceRequirements resources = pod.container.getResources();
    for (String resource : List.of("cpu", "memory")) {
      Quantity request = resources.getRequests() == null ? null : resources.getRequests().get(resource);
      Quantity limit = resources.getLimits() == null ? null : resources.getLimits().get(resource);
      assertNotNull(request, resource + " request");
      assertNotNull(limit, resource + " limit");
      assertTrue(Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) <= 0,
          resource + " request " + request + " is above its limit " + limit);
    }
    long limit = Quantity.getAmountInBytes(resources.getLimits().get("memory")).longValue();
    List<String> options = List.of(pod.env.getOrDefault(BrokerPod.JAVA_OPTS, "").trim().split("\\s+"));
    assertFalse(options.stream().anyMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize")),
        "no fixed heap: it follows the container's limit (-XX:MaxRAMPercentage)");
    double percent = Double.parseDouble(option(options, "-XX:MaxRAMPercentage=")
        .orElseGet(() -> fail(BrokerPod.JAVA_OPTS + " sizes the heap from the limit with -XX:MaxRAMPercentage")));
    long heap = (long) (limit * percent / 100);
    // Without its own limit, direct memory may grow as large as the heap.
    long direct = option(options, "-XX:MaxDirectMemorySize=").map(PodSpecTest::bytes).orElse(heap);
    assertTrue(heap + direct + JVM_OVERHEAD <= limit, "heap " + (heap >> 20) + " MiB + direct " + (direct >> 20)
        + " MiB + " + (JVM_OVERHEAD >> 20) + " MiB for the JVM exceed the memory limit of " + (limit >> 20) + " MiB");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theBrokerRunsAsNonRootOnAReadOnlyRootFilesystem(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    PodSpec spec = pod.statefulSet.getSpec().getTemplate().getSpec();
    PodSecurityContext podSecurity = spec.getSecurityContext();
    assertNotNull(podSecurity, "a pod security context");
    assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot(), "runAsNonRoot");
    assertNotNull(podSecurity.getRunAsUser(), "a numeric runAsUser (runAsNonRoot cannot check a user name)");
    assertTrue(podSecurity.getRunAsUser() > 0, "runAsUser is not root");
    assertNotNull(podSecurity.getFsGroup(), "fsGroup: the data volume is writable for the broker");
    SecurityContext security = pod.container.getSecurityContext();
    assertNotNull(security, "a container security context");
    assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
    assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
    assertEquals(List.of("ALL"), security.getCapabilities().getDrop(), "capabilities dropped");
    // The JVM writes its temporary files (hsperfdata, native libraries) to /tmp.
    String tmpVolume = pod.container.getVolumeMounts().stream()
        .filter(m -> m.getMountPath().equals("/tmp"))
        .map(m -> m.getName())
        .findFirst()
        .orElseGet(() -> fail("/tmp is mounted: the root filesystem is read-only"));
    Volume tmp = spec.getVolumes().stream().filter(v -> v.getName().equals(tmpVolume)).findFirst().orElseThrow();
    assertNotNull(tmp.getEmptyDir(), "/tmp is an emptyDir");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void aBrokerHasAMinuteForAControlledShutdown(Overlay overlay) {
    Long grace = overlay.manifests().one(StatefulSet.class).getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds();
    assertNotNull(grace, "terminationGracePeriodSeconds (the default, 30 s, is short for fencing and closing logs)");
    assertTrue(grace >= 60, "terminationGracePeriodSeconds " + grace + " < 60");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theBrokersMayReadPodsAndNothingElse(Overlay overlay) {
    Manifests m = overlay.manifests();
    Role role = m.one(Role.class);
    assertEquals(1, role.getRules().size(), "one rule: " + role.getRules());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(""), rule.getApiGroups(), "the core API group");
    assertEquals(List.of("pods"), rule.getResources(), "resources");
    assertEquals(Set.of("get", "watch", "list"), Set.copyOf(rule.getVerbs()), "verbs");
    assertEquals(rule.getVerbs().size(), Set.copyOf(rule.getVerbs()).size(), "no verb twice");
    assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty(), "no resourceNames");
    assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(), "no nonResourceURLs");

    RoleBinding binding = m.one(RoleBinding.class);
    assertEquals("Role", binding.getRoleRef().getKind(), "the binding grants the Role, no ClusterRole");
    assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName(), "roleRef");
    String account = m.one(StatefulSet.class).getSpec().getTemplate().getSpec().getServiceAccountName();
    m.named(ServiceAccount.class, account);
    assertEquals(1, binding.getSubjects().size(), "one subject: " + binding.getSubjects());
    Subject subject = binding.getSubjects().get(0);
    assertEquals("ServiceAccount", subject.getKind(), "subject kind");
    assertEquals(account, subject.getName(), "the subject is the pods' service account");
  }

  private static java.util.Optional<String> option(List<String> options, String prefix) {
    return options.stream().filter(o -> o.startsWith(prefix)).map(o -> o.substring(prefix.length())).reduce((a, b) -> b);
  }

  /** A JVM size such as 512m, 2g or 1048576 (bytes). */
  static long bytes(String size) {
    String s = size.toLowerCase(java.util.Locale.ROOT);
    int shift = switch (s.charAt(s.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      default -> 0;
    };
    String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
    return new BigDecimal(digits).longValueExact() << shift;
  }
}
