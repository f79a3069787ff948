package dev.tributary.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TLS on Kubernetes: where the broker's tributary.tls.dir is set, it is a mounted Secret in the
 * layout of a TLS secret, not readable by others, and the probes speak HTTPS to Management (which
 * then serves nothing else); where it is not, the probes speak HTTP.
 */
class TlsSecretTest {

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theBrokerHasTlsExactlyWhereTheOverlayPromisesIt(Overlay overlay) {
    String dir = overlay.pod(0).config.getString("tributary.tls.dir").trim();
    assertEquals(overlay.tls, !dir.isEmpty(), "tributary.tls.dir of the broker in " + overlay + ": '" + dir + "'");
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theTlsDirectoryIsAMountedSecretReadableByTheBrokerOnly(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    String dir = pod.config.getString("tributary.tls.dir").trim();
    if (dir.isEmpty()) {
      return; // theBrokerHasTlsExactlyWhereTheOverlayPromisesIt checks that this overlay has none
    }
    VolumeMount mount = pod.container.getVolumeMounts().stream()
        .filter(m -> Path.of(m.getMountPath()).equals(Path.of(dir)))
        .findFirst()
        .orElseGet(() -> fail("tributary.tls.dir " + dir + " is no volume's mount path"));
    assertEquals(Boolean.TRUE, mount.getReadOnly(), "the TLS mount is read-only");
    for (VolumeMount other : pod.container.getVolumeMounts()) {
      assertTrue(other == mount || !Path.of(dir).startsWith(Path.of(other.getMountPath())),
          "the TLS mount is not inside the mount at " + other.getMountPath() + " (no mount point can be made there)");
    }
    Volume volume = pod.statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(mount.getName()))
        .findFirst()
        .orElseGet(() -> fail("no volume " + mount.getName()));
    assertNotNull(volume.getSecret(), "the TLS directory is a Secret volume");
    assertTrue(volume.getSecret().getItems() == null || volume.getSecret().getItems().isEmpty(),
        "every key of the Secret is a file of its name: ca.crt, tls.crt, tls.key");
    Integer mode = volume.getSecret().getDefaultMode();
    assertNotNull(mode, "a defaultMode: Kubernetes' default (0644) lets every user read tls.key");
    assertEquals(0, mode & 0007, "tls.key is not readable by others: defaultMode " + Integer.toOctalString(mode));
    assertTrue((mode & 0040) != 0, "the broker reads the files through its group (fsGroup): defaultMode "
        + Integer.toOctalString(mode));
  }

  @ParameterizedTest
  @EnumSource(Overlay.class)
  void theProbesSpeakTheSchemeManagementServes(Overlay overlay) {
    BrokerPod pod = overlay.pod(0);
    String expected = pod.config.getString("tributary.tls.dir").isBlank() ? "HTTP" : "HTTPS";
    for (Probe probe : List.of(pod.container.getReadinessProbe(), pod.container.getLivenessProbe())) {
      String scheme = probe.getHttpGet().getScheme();
      assertEquals(expected, scheme == null ? "HTTP" : scheme, "probe of " + probe.getHttpGet().getPath());
    }
  }
}
