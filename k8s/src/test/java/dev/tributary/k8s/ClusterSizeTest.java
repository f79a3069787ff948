package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each overlay sets for its size, read from the rendered StatefulSet and the ConfigMap's
 * application.conf as the broker will load it: one controller voter per broker by its stable DNS
 * name, bootstrap waiting for every broker, copies and quorums that fit the broker count.
 */
class ClusterSizeTest {

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theStatefulSetRunsTheOverlaysBrokerCount(Overlay overlay) {
    assertEquals(overlay.brokers, overlay.manifests().one(StatefulSet.class).getSpec().getReplicas(), overlay + ": replicas");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everyBrokerIsAVoterByItsStableNameOnTheHeadlessServicesControllerPort(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    Service headless = overlay.manifests().named(Service.class, BrokerContractTest.HEADLESS);
    int controllerPort = headless.getSpec().getPorts().stream()
        .filter(p -> "controller".equals(p.getName()))
        .map(ServicePort::getPort)
        .findFirst()
        .orElseThrow(() -> new AssertionError(BrokerContractTest.HEADLESS + " has no port named controller"));
    List<Voter> expected = new ArrayList<>();
    for (int id = 0; id < overlay.brokers; id++) {
      String podName = pod.statefulSet.getMetadata().getName() + "-" + id;
      expected.add(new Voter(id, podName + "." + headless.getMetadata().getName(), controllerPort));
    }
    assertEquals(expected, Voter.parseAll(pod.voters()), overlay + ": tributary.controller.voters");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everyBrokerSeesTheSameConfiguration(Overlay overlay) {
    for (int i = 1; i < overlay.brokers; i++) {
      assertEquals(overlay.pod(0).voters(), overlay.pod(i).voters(), "voters on broker " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void bootstrapWaitsForEveryBrokerBeforeFormingTheCluster(Overlay overlay) {
    assertEquals(overlay.brokers, overlay.pod(0).config.getInt(BrokerContractTest.BOOTSTRAP + "required-contact-point-nr"),
        overlay + ": required-contact-point-nr (fewer could form two clusters on a first start)");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void groupsAndNewTopicsHaveACopyOnEveryBrokerAndWritesNeedAMajority(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    assertEquals(overlay.brokers, pod.config.getInt("tributary.groups.replication-factor"),
        overlay + ": tributary.groups.replication-factor (more than the brokers: groups never become available)");
    assertEquals(overlay.brokers, pod.config.getInt("tributary.broker.default-replication-factor"),
        overlay + ": tributary.broker.default-replication-factor");
    assertEquals(overlay.brokers / 2 + 1, pod.config.getInt("tributary.broker.topic-defaults.min.insync.replicas"),
        overlay + ": tributary.broker.topic-defaults.min.insync.replicas");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theDisruptionBudgetTakesOneBrokerAtATimeAndKeepsAMajority(Overlay overlay) {
    PodDisruptionBudget budget = overlay.manifests().one(PodDisruptionBudget.class);
    IntOrString maxUnavailable = budget.getSpec().getMaxUnavailable();
    assertEquals(Integer.valueOf(1), maxUnavailable == null ? null : maxUnavailable.getIntVal(),
        overlay + ": maxUnavailable, as a number of pods");
    assertEquals(null, budget.getSpec().getMinAvailable(), "maxUnavailable only (a budget takes one of the two)");
    if (overlay.brokers >= 3) {
      int left = overlay.brokers - maxUnavailable.getIntVal();
      assertTrue(left > overlay.brokers / 2.0,
          overlay + ": " + left + " of " + overlay.brokers + " brokers left during a disruption is no majority");
    }
  }
}
