package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code tls.existingSecret}: the nodes serve and dial with it, probes speak HTTPS, the hook jobs' kvctl uses it. */
class ChartTlsTest {
  private static final Map<String, Object> TLS = Map.of("tls.existingSecret", "rr-tls", "tls.clientAuth", "require");

  private static Volume tlsVolume(PodSpec pod) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals("tls")).findFirst().orElseThrow();
  }

  private static VolumeMount tlsMount(Container c) {
    return c.getVolumeMounts().stream().filter(m -> m.getName().equals("tls")).findFirst().orElseThrow();
  }

  @Test
  void theNodesReadTheSecretsFilesAndTheirConfigurationPassesValidation() {
    Manifests m = Chart.render(TLS);
    NodeConfig node = m.nodeConfiguration(Chart.FULLNAME + "-0").getNode().validate();
    NodeConfig.Tls tls = node.security().tls();
    assertThat(tls.certFile()).isEqualTo(Path.of("/etc/rocksraft-tls/tls.crt"));
    assertThat(tls.keyFile()).isEqualTo(Path.of("/etc/rocksraft-tls/tls.key"));
    assertThat(tls.caFile()).isEqualTo(Path.of("/etc/rocksraft-tls/ca.crt"));
    assertThat(tls.clientAuth()).isEqualTo("require");
    assertThat(tlsVolume(m.statefulSet().getSpec().getTemplate().getSpec()).getSecret().getSecretName())
        .isEqualTo("rr-tls");
    VolumeMount mount = tlsMount(m.nodeContainer());
    assertThat(mount.getMountPath()).isEqualTo("/etc/rocksraft-tls");
    assertThat(mount.getReadOnly()).isTrue();
  }

  @Test
  void probesSpeakHttpsWithTlsAndHttpWithout() {
    Container tls = Chart.render(TLS).nodeContainer();
    for (var probe : List.of(tls.getStartupProbe(), tls.getLivenessProbe(), tls.getReadinessProbe())) {
      assertThat(probe.getHttpGet().getScheme()).isEqualTo("HTTPS");
    }
    Container plain = Chart.render(Map.of()).nodeContainer();
    assertThat(plain.getReadinessProbe().getHttpGet().getScheme()).isNull();
    assertThat(plain.getVolumeMounts()).extracting(VolumeMount::getName).doesNotContain("tls");
  }

  @Test
  void theMembershipJobsDialOverTlsWithTheNodesCertificate() {
    Manifests m = Chart.renderWithHooks(TLS);
    for (String job : List.of("scale-down", "scale-up")) {
      PodSpec pod = m.job(job).getSpec().getTemplate().getSpec();
      Container kvctl = pod.getContainers().get(0);
      assertThat(kvctl.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).contains(
          org.assertj.core.groups.Tuple.tuple("ROCKSRAFT_CACERT", "/etc/rocksraft-tls/ca.crt"),
          org.assertj.core.groups.Tuple.tuple("ROCKSRAFT_CERT", "/etc/rocksraft-tls/tls.crt"),
          org.assertj.core.groups.Tuple.tuple("ROCKSRAFT_KEY", "/etc/rocksraft-tls/tls.key"));
      assertThat(tlsMount(kvctl).getMountPath()).isEqualTo("/etc/rocksraft-tls");
      assertThat(tlsVolume(pod).getSecret().getSecretName()).isEqualTo("rr-tls");
    }
    Container plain = Chart.renderWithHooks(Map.of()).job("scale-up").getSpec().getTemplate().getSpec()
        .getContainers().get(0);
    assertThat(plain.getEnv()).extracting(EnvVar::getName).doesNotContain("ROCKSRAFT_CACERT");
  }

  @Test
  void authenticationFromTheNodeValuesSitsBesideTheChartsTls() {
    NodeConfig node = Chart.render(Map.of("tls.existingSecret", "rr-tls", "tls.clientAuth", "optional",
            "node.security.auth.enabled", true,
            "node.security.auth.users[0].name", "rocksraft node", "node.security.auth.users[0].roles[0]", "admin",
            "node.security.auth.roles[0].name", "admin", "node.security.auth.roles[0].admin", true))
        .nodeConfiguration(Chart.FULLNAME + "-0").getNode().validate();
    assertThat(node.security().auth().enabled()).isTrue();
    assertThat(node.security().tls().enabled()).isTrue();
  }

  @Test
  void tlsFilesAreTheChartsToSet() {
    assertThatThrownBy(() -> Chart.render(Map.of("node.security.tls.certFile", "/x.crt")))
        .hasMessageContaining("node.security.tls is set by the chart");
    assertThatThrownBy(() -> Chart.render(Map.of("tls.existingSecret", "rr-tls", "tls.clientAuth", "always")))
        .hasMessageContaining("clientAuth");
  }
}
