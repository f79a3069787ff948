package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What kustomize renders is what the API server would take: every object of a model fabric8
 * knows, no field that the model does not (a typo is dropped by the server and leaves the default
 * in force), every ConfigMap the pod mounts among them, and no namespace fixed in any.
 */
class RenderedManifestsTest {

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everyOverlayRendersTheBrokersObjectsEachOfAKnownKind(Overlay overlay) {
    Map<String, Integer> kinds = new TreeMap<>();
    for (HasMetadata object : overlay.manifests().objects()) {
      assertTrue(!(object instanceof GenericKubernetesResource),
          overlay + ": " + Manifests.describe(object) + " (" + object.getApiVersion() + ") has no typed model: wrong kind or apiVersion?");
      kinds.merge(object.getKind(), 1, Integer::sum);
    }
    assertEquals(Map.of("ConfigMap", 1, "PodDisruptionBudget", 1, "Role", 1, "RoleBinding", 1, "Service", 2,
        "ServiceAccount", 1, "StatefulSet", 1), kinds, overlay + ": kinds rendered");
    Manifests m = overlay.manifests();
    m.one(StatefulSet.class);
    m.one(PodDisruptionBudget.class);
    m.one(Role.class);
    m.one(RoleBinding.class);
    m.one(ServiceAccount.class);
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void noRenderedObjectHasAFieldItsModelDoesNotKnow(Overlay overlay) {
    List<String> unknown = new ArrayList<>();
    for (HasMetadata object : overlay.manifests().objects()) {
      for (String path : UnknownFields.in(object)) {
        unknown.add(Manifests.describe(object) + ": " + path);
      }
    }
    assertEquals(List.of(), unknown, overlay + ": fields no model knows (typos?)");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void everyConfigMapThePodMountsIsRenderedWithIt(Overlay overlay) {
    Manifests m = overlay.manifests();
    StatefulSet statefulSet = m.one(StatefulSet.class);
    for (Volume volume : statefulSet.getSpec().getTemplate().getSpec().getVolumes()) {
      if (volume.getConfigMap() != null) {
        // the generated name, hash suffix and all: kustomize rewrote the reference
        m.named(ConfigMap.class, volume.getConfigMap().getName());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void noObjectNamesANamespace(Overlay overlay) {
    for (HasMetadata object : overlay.manifests().objects()) {
      assertNull(object.getMetadata().getNamespace(), overlay + ": " + Manifests.describe(object)
          + " names a namespace; the manifests go where kubectl -n (or an overlay's namespace:) puts them");
    }
    overlay.manifests().one(RoleBinding.class).getSubjects()
        .forEach(s -> assertNull(s.getNamespace(), "a RoleBinding's subject is in the binding's own namespace"));
  }

  @Test
  void aMisspelledFieldIsFound() {
    Manifests m = Manifests.parse("""
        apiVersion: v1
        kind: Service
        metadata:
          name: tributary-headless
        spec:
          clusterIP: None
          publishNotReadyAdresses: true
          ports:
          - name: remoting
            port: 25520
            targetProt: remoting
        ---
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: tributary
        spec:
          template:
            spec:
              containers:
              - name: tributary
                readinesProbe:
                  httpGet:
                    path: /ready
                    port: management
        """);
    assertEquals(Set.of("spec.publishNotReadyAdresses", "spec.ports[0].targetProt"),
        Set.copyOf(UnknownFields.in(m.named(Service.class, "tributary-headless"))));
    assertEquals(List.of("spec.template.spec.containers[0].readinesProbe"), UnknownFields.in(m.one(StatefulSet.class)));
  }

  @Test
  void aKindWithoutAModelIsNotTakenForAKnownOne() {
    Manifests m = Manifests.parse("""
        apiVersion: apps/v1
        kind: StatefullSet
        metadata:
          name: tributary
        """);
    assertTrue(m.objects().get(0) instanceof GenericKubernetesResource, "a misspelled kind parses as generic");
    assertThrows(AssertionError.class, () -> m.one(StatefulSet.class));
  }
}
