package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.rocksraft.server.config.NodeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code helm template} with the default values and with options: the Kubernetes objects and their properties. */
class ChartTemplateTest {
  private static final Manifests DEFAULTS = Chart.render(Map.of());

  @Test
  void defaultsRenderTheClustersObjectsAndNothingOptional() {
    assertThat(DEFAULTS.names()).containsExactlyInAnyOrder(
        "StatefulSet/rr-rocksraft", "Service/rr-rocksraft", "Service/rr-rocksraft-headless",
        "ConfigMap/rr-rocksraft", "PodDisruptionBudget/rr-rocksraft", "ServiceAccount/rr-rocksraft");
  }

  @Test
  void statefulSetRunsAllMembersAtOnceEachWithItsOwnVolume() {
    StatefulSet sts = DEFAULTS.statefulSet();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    assertThat(sts.getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("rr-rocksraft-headless");
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
    List<PersistentVolumeClaim> claims = sts.getSpec().getVolumeClaimTemplates();
    assertThat(claims).singleElement().satisfies(claim -> {
      assertThat(claim.getMetadata().getName()).isEqualTo("data");
      assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
      assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
    });
    assertThat(DEFAULTS.nodeContainer().getVolumeMounts())
        .anySatisfy(m -> {
          assertThat(m.getName()).isEqualTo("data");
          assertThat(m.getMountPath()).isEqualTo("/data");
        });
    assertThat(DEFAULTS.nodeYaml().at("/node/dataDir").asText()).isEqualTo("/data");
  }

  @Test
  void replicaCountAndVolumeFollowTheValues() {
    Manifests m = Chart.render(Map.of("replicas", 5, "persistence.size", "50Gi", "persistence.storageClassName", "fast"));
    StatefulSet sts = m.statefulSet();
    assertThat(sts.getSpec().getReplicas()).isEqualTo(5);
    PersistentVolumeClaim claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("50Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 5, 7, 9})
  void disruptionBudgetKeepsAQuorum(int replicas) {
    Manifests m = Chart.render(Map.of("replicas", replicas));
    var pdb = m.podDisruptionBudget();
    assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(replicas / 2 + 1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(m.statefulSet().getSpec().getSelector().getMatchLabels());
  }

  @Test
  void probesUseTheAdminPortOfTheNodeYaml() {
    assertProbesOnAdminPort(DEFAULTS, 8101);
    assertProbesOnAdminPort(Chart.render(Map.of("ports.admin", 9191)), 9191);
  }

  private static void assertProbesOnAdminPort(Manifests m, int adminPort) {
    JsonNode yaml = m.nodeYaml();
    assertThat(yaml.at("/server/adminConnectors/0/port").asInt()).isEqualTo(adminPort);
    Container c = m.nodeContainer();
    assertThat(containerPort(c, "admin")).isEqualTo(adminPort);
    // Readiness: the health checks (Raft, RocksDB, disk); liveness and startup: the process answers.
    assertHttpProbe(c.getReadinessProbe(), "/healthcheck");
    assertHttpProbe(c.getLivenessProbe(), "/ping");
    assertHttpProbe(c.getStartupProbe(), "/ping");
  }

  private static void assertHttpProbe(Probe probe, String path) {
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("admin");
  }

  private static int containerPort(Container c, String name) {
    return c.getPorts().stream().filter(p -> p.getName().equals(name)).map(ContainerPort::getContainerPort)
        .findFirst().orElseThrow();
  }

  @Test
  void containerPortsAreTheNodeYamlsPorts() {
    JsonNode yaml = DEFAULTS.nodeYaml();
    Container c = DEFAULTS.nodeContainer();
    assertThat(containerPort(c, "http")).isEqualTo(yaml.at("/server/applicationConnectors/0/port").asInt());
    assertThat(yaml.at("/node/raftAddress").asText()).isEqualTo("0.0.0.0:" + containerPort(c, "raft"));
    assertThat(yaml.at("/node/clientAddress").asText()).isEqualTo("0.0.0.0:" + containerPort(c, "grpc"));
  }

  @Test
  void clientServiceServesGrpcAndRestOfReadyMembers() {
    Service client = DEFAULTS.clientService();
    assertThat(client.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(client.getSpec().getPorts()).extracting(ServicePort::getName, ServicePort::getPort)
        .containsExactlyInAnyOrder(tuple("grpc", 9001),
            tuple("http", 8001));
    assertThat(client.getSpec().getPublishNotReadyAddresses()).isNotEqualTo(Boolean.TRUE);
    assertThat(client.getSpec().getSelector()).isEqualTo(DEFAULTS.statefulSet().getSpec().getSelector().getMatchLabels());
  }

  @Test
  void headlessServiceNamesEveryMemberReadyOrNot() {
    Service headless = DEFAULTS.headlessService();
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getPorts()).extracting(ServicePort::getName).contains("raft", "grpc", "admin");
  }

  @Test
  void podsRunAsNonRootOnAReadOnlyRootFileSystem() {
    PodSpec pod = DEFAULTS.statefulSet().getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
    assertThat(pod.getSecurityContext().getFsGroup()).isEqualTo(10001L);
    var sc = DEFAULTS.nodeContainer().getSecurityContext();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    // The only writable places: the member's volume and an emptyDir for the native libraries.
    assertThat(DEFAULTS.nodeContainer().getVolumeMounts()).filteredOn(m -> !Boolean.TRUE.equals(m.getReadOnly()))
        .extracting(v -> v.getMountPath()).containsExactlyInAnyOrder("/data", "/tmp");
    assertThat(pod.getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("tmp");
      assertThat(v.getEmptyDir()).isNotNull();
    });
  }

  @Test
  void resourcesAreRequested() {
    var resources = DEFAULTS.nodeContainer().getResources();
    assertThat(resources.getRequests()).containsKeys("cpu", "memory");
    assertThat(resources.getLimits()).containsKey("memory");
  }

  @Test
  void antiAffinitySpreadsMembersOverNodes() {
    var soft = DEFAULTS.statefulSet().getSpec().getTemplate().getSpec().getAffinity().getPodAntiAffinity();
    assertThat(soft.getPreferredDuringSchedulingIgnoredDuringExecution()).singleElement().satisfies(term -> {
      assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname");
      assertThat(term.getPodAffinityTerm().getLabelSelector().getMatchLabels())
          .isEqualTo(DEFAULTS.statefulSet().getSpec().getSelector().getMatchLabels());
    });
    var hard = Chart.render(Map.of("antiAffinity", "hard")).statefulSet().getSpec().getTemplate().getSpec()
        .getAffinity().getPodAntiAffinity();
    assertThat(hard.getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement()
        .satisfies(term -> assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    assertThat(Chart.render(Map.of("antiAffinity", "none")).statefulSet().getSpec().getTemplate().getSpec()
        .getAffinity()).isNull();
  }

  @Test
  void topologySpreadConstraintsGetThePodsSelectorWhenTheyNameNone() {
    PodSpec pod = Chart.render(Map.of("topologySpreadConstraints[0].maxSkew", 1,
        "topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone",
        "topologySpreadConstraints[0].whenUnsatisfiable", "DoNotSchedule")).statefulSet().getSpec().getTemplate().getSpec();
    assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(c -> {
      assertThat(c.getMaxSkew()).isEqualTo(1);
      assertThat(c.getTopologyKey()).isEqualTo("topology.kubernetes.io/zone");
      assertThat(c.getLabelSelector().getMatchLabels())
          .isEqualTo(DEFAULTS.statefulSet().getSpec().getSelector().getMatchLabels());
    });
  }

  @Test
  void imageComesFromTheValues() {
    assertThat(DEFAULTS.nodeContainer().getImage()).isEqualTo("rocksraft:0.1.0-SNAPSHOT");
    Container c = Chart.render(Map.of("image.repository", "registry.example.com/rocksraft", "image.tag", "1.2.3",
        "image.pullPolicy", "Always")).nodeContainer();
    assertThat(c.getImage()).isEqualTo("registry.example.com/rocksraft:1.2.3");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
  }

  @Test
  void tierOffMeansNoCredentialsAnywhere() {
    assertThat(DEFAULTS.nodeContainer().getEnv()).noneMatch(e -> e.getName().startsWith("AWS_"));
    assertThat(DEFAULTS.all(Secret.class)).isEmpty();
    assertThat(DEFAULTS.nodeYaml().at("/node/tier").isMissingNode()).isTrue();
  }

  @Test
  void tierCredentialsComeFromTheGivenSecretNeverFromTheConfigMap() {
    Manifests m = Chart.render(Map.of("tier.enabled", true, "tier.s3.bucket", "snapshots",
        "tier.s3.endpoint", "http://minio.storage:9000", "tier.s3.pathStyle", true,
        "tier.credentials.existingSecret", "rocksraft-s3", "tier.credentials.accessKeyIdKey", "id",
        "tier.credentials.secretAccessKeyKey", "secret"));
    var env = m.nodeContainer().getEnv();
    assertThat(env).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AWS_ACCESS_KEY_ID");
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rocksraft-s3");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("id");
    });
    assertThat(env).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("AWS_SECRET_ACCESS_KEY");
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rocksraft-s3");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("secret");
    });
    assertThat(m.all(Secret.class)).as("the chart makes no Secret of its own").isEmpty();
    JsonNode tier = m.nodeYaml().at("/node/tier");
    assertThat(tier.get("enabled").asBoolean()).isTrue();
    assertThat(tier.get("backend").asText()).isEqualTo("s3");
    assertThat(tier.at("/s3/bucket").asText()).isEqualTo("snapshots");
    assertThat(tier.at("/s3/endpoint").asText()).isEqualTo("http://minio.storage:9000");
    assertThat(tier.at("/s3/pathStyle").asBoolean()).isTrue();
    assertThat(tier.at("/s3/prefix").asText()).isEqualTo("db/rr-rocksraft/");
    assertThat(tier.at("/s3/accessKey").isMissingNode()).isTrue();
    assertThat(tier.at("/s3/secretKey").isMissingNode()).isTrue();
  }

  @Test
  void tierCredentialsGivenAsValuesGoIntoASecretOfTheChart() {
    Manifests m = Chart.render(Map.of("tier.enabled", true, "tier.s3.bucket", "snapshots",
        "tier.credentials.accessKeyId", "AKIAEXAMPLE", "tier.credentials.secretAccessKey", "s3cr3t"));
    Secret secret = m.get(Secret.class, "rr-rocksraft-tier");
    assertThat(secret.getStringData()).containsEntry("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "s3cr3t");
    assertThat(m.nodeContainer().getEnv()).filteredOn(e -> e.getName().startsWith("AWS_"))
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rr-rocksraft-tier"));
    assertThat(m.nodeYamlText()).doesNotContain("s3cr3t").doesNotContain("AKIAEXAMPLE");
  }

  @Test
  void backupGcRunsOnScheduleWithTheSameSecret() {
    Manifests m = Chart.render(Map.of("tier.enabled", true, "tier.s3.bucket", "snapshots",
        "tier.credentials.existingSecret", "rocksraft-s3", "tier.gc.enabled", true));
    var cron = m.get(CronJob.class, "rr-rocksraft-backup-gc");
    Container c = cron.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(c.getCommand()).containsExactly("kvctl");
    assertThat(c.getArgs()).containsExactly("backup", "gc", "--config", "/etc/rocksraft/node.yml");
    assertThat(c.getEnv()).filteredOn(e -> e.getName().startsWith("AWS_"))
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rocksraft-s3"))
        .hasSize(2);
    assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
  }

  @Test
  void serviceMonitorOnlyWhenEnabled() {
    assertThat(DEFAULTS.all(GenericKubernetesResource.class)).isEmpty();
    Manifests m = Chart.render(Map.of("metrics.serviceMonitor.enabled", true,
        "metrics.serviceMonitor.labels.release", "prometheus"));
    GenericKubernetesResource monitor = m.get(GenericKubernetesResource.class, "rr-rocksraft");
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
    Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertThat(endpoint).containsEntry("port", "admin").containsEntry("path", "/prometheus");
    // It selects the headless Service: the one with the admin port, naming members that are not ready too.
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    assertThat(m.headlessService().getMetadata().getLabels()).containsAllEntriesOf(selector);
    assertThat(m.clientService().getMetadata().getLabels()).doesNotContainEntry("app.kubernetes.io/component", "peers");
  }

  @Test
  void noInitContainerUnlessRestoring() {
    assertThat(DEFAULTS.statefulSet().getSpec().getTemplate().getSpec().getInitContainers()).isEmpty();
    assertThat(DEFAULTS.configFile("restore.yml")).isNull();
  }

  @Test
  void restoreAtInstallFillsEmptyVolumesFromTheOldClustersPrefix() throws Exception {
    Manifests m = Chart.render(Map.of("tier.enabled", true, "tier.s3.bucket", "snapshots",
        "tier.credentials.existingSecret", "rocksraft-s3", "restore.enabled", true, "restore.prefix", "db/old/",
        "restore.manifest", "3_41207"));
    Container restore = m.statefulSet().getSpec().getTemplate().getSpec().getInitContainers().get(0);
    assertThat(restore.getName()).isEqualTo("restore");
    assertThat(restore.getArgs().get(0))
        .contains("if [ -e /data/db ] || [ -e /data/raft ]")
        .contains("kvctl restore --config /etc/rocksraft/restore.yml --manifest \"3_41207\" --data-dir /data");
    assertThat(restore.getVolumeMounts()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("data");
      assertThat(v.getMountPath()).isEqualTo("/data");
    });
    assertThat(restore.getEnv()).filteredOn(e -> e.getName().startsWith("AWS_")).hasSize(2)
        .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("rocksraft-s3"));
    // What kvctl restore reads: the same bucket under the old prefix; the new cluster uploads under its own.
    Path file = Files.createTempFile("restore", ".yml");
    try {
      Files.writeString(file, m.configFile("restore.yml"));
      var source = NodeConfig.load(file).tier().validate();
      assertThat(source.s3().bucket()).isEqualTo("snapshots");
      assertThat(source.s3().prefix()).isEqualTo("db/old/");
    } finally {
      Files.delete(file);
    }
    assertThat(m.nodeYaml().at("/node/tier/s3/prefix").asText()).isEqualTo("db/rr-rocksraft/");
  }

  @Test
  void restoreNeedsTheTierAndAPrefixOtherThanItsOwn() {
    assertThatThrownBy(() -> Chart.render(Map.of("restore.enabled", true,
        "restore.prefix", "db/old/"))).hasMessageContaining("restore.enabled needs tier.enabled");
    assertThatThrownBy(() -> Chart.render(Map.of("tier.enabled", true,
        "tier.s3.bucket", "snapshots", "restore.enabled", true, "restore.prefix", "db/rr-rocksraft/")))
        .hasMessageContaining("restore.prefix must differ");
    assertThatThrownBy(() -> Chart.render(Map.of("tier.enabled", true,
        "tier.s3.bucket", "snapshots", "restore.enabled", true))).hasMessageContaining("prefix");
  }
}
