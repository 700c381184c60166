package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.rocksraft.server.config.NodeConfig;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The node YAML of the ConfigMap: what every pod reads, with its id from its pod name. It must be
 * a configuration the node accepts, for every pod, and name the StatefulSet's pods as peers.
 */
class NodeConfigMapTest {
  private static String host(int i) {
    return Chart.FULLNAME + "-" + i + "." + Chart.FULLNAME + "-headless." + Chart.NAMESPACE + ".svc.cluster.local";
  }

  @Test
  void peersAreTheStatefulSetsPodsByTheirDnsNames() {
    for (int replicas : new int[] {1, 3, 5}) {
      NodeConfig node = Chart.render(Map.of("replicas", replicas)).nodeConfiguration().getNode();
      List<NodeConfig.Peer> expected = IntStream.range(0, replicas)
          .mapToObj(i -> new NodeConfig.Peer(Chart.FULLNAME + "-" + i, host(i) + ":7001", host(i) + ":9001")).toList();
      assertThat(node.peers()).isEqualTo(expected);
    }
  }

  @Test
  void everyPodsConfigurationPassesTheNodesValidation() {
    Manifests m = Chart.render(Map.of("replicas", 3));
    for (int i = 0; i < 3; i++) {
      String pod = Chart.FULLNAME + "-" + i;
      NodeConfig node = m.nodeConfiguration(pod).getNode().validate();
      assertThat(node.id()).isEqualTo(pod);
      assertThat(node.self().raftAddress()).isEqualTo(host(i) + ":7001");
      // It listens on every interface and is reached at its DNS name.
      assertThat(node.raftAddress()).isEqualTo("0.0.0.0:7001");
      assertThat(node.clientAddress()).isEqualTo("0.0.0.0:9001");
      assertThat(node.cluster()).isEqualTo(Chart.FULLNAME);
    }
  }

  @Test
  void podsTakeTheirMemberIdFromTheirName() {
    EnvVar id = Chart.render(Map.of()).nodeContainer().getEnv().stream()
        .filter(e -> e.getName().equals("ROCKSRAFT_NODE_ID")).findFirst().orElseThrow();
    assertThat(id.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    assertThat(Chart.render(Map.of()).nodeContainer().getArgs()).containsExactly("server", "/etc/rocksraft/node.yml");
  }

  @Test
  void configurationWithTheTierOnPassesTheNodesValidation() {
    NodeConfig node = Chart.render(Map.of("tier.enabled", true, "tier.s3.bucket", "snapshots",
        "tier.settings.retainManifests", 20)).nodeConfiguration(Chart.FULLNAME + "-0").getNode().validate();
    assertThat(node.tier().enabled()).isTrue();
    assertThat(node.tier().s3().bucket()).isEqualTo("snapshots");
    assertThat(node.tier().retainManifests()).isEqualTo(20);
    // No keys in the file: the AWS SDK's chain finds them in the environment (the Secret).
    assertThat(node.tier().s3().accessKey()).isNull();
  }

  @Test
  void nodeSettingsFromTheValuesReachTheNode() {
    NodeConfig node = Chart.render(Map.of("node.snapshot.autoTriggerThreshold", 5000, "node.limits.maxValueBytes", 65536,
        "cluster.name", "orders")).nodeConfiguration().getNode();
    assertThat(node.snapshot().autoTriggerThreshold()).isEqualTo(5000L);
    assertThat(node.limits().maxValueBytes()).isEqualTo(65536);
    assertThat(node.cluster()).isEqualTo("orders");
  }

  @Test
  void largeByteCountsStayExactIntegers() {
    String yaml = Chart.render(Map.of("node.blockCacheBytes", 4294967296L)).nodeYamlText();
    assertThat(yaml).contains("blockCacheBytes: 4294967296").contains("minFreeDiskBytes: 1073741824");
  }

  @Test
  void podsFormTheGroupAtInstallAndJoinWhenForced() {
    // helm template renders as an install: the first pods form the group.
    assertThat(Chart.render(Map.of()).nodeConfiguration().getNode().join()).isFalse();
    assertThat(Chart.render(Map.of("cluster.join", "true")).nodeConfiguration().getNode().join()).isTrue();
    assertThat(Chart.render(Map.of("cluster.join", "false")).nodeConfiguration().getNode().join()).isFalse();
  }

  @Test
  void scalingRollsNoPodButASettingsChangeDoes() {
    String three = checksum(Chart.render(Map.of("replicas", 3)));
    assertThat(checksum(Chart.render(Map.of("replicas", 5)))).isEqualTo(three);
    assertThat(checksum(Chart.render(Map.of("cluster.join", "true")))).isEqualTo(three);
    assertThat(checksum(Chart.render(Map.of("node.limits.maxValueBytes", 65536)))).isNotEqualTo(three);
  }

  private static String checksum(Manifests m) {
    return m.statefulSet().getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
  }

  @Test
  void notesTellHowToReachTheClusterAndRunKvctl() {
    String notes = Chart.installNotes(Map.of());
    assertThat(notes)
        .contains("rr-rocksraft.db.svc.cluster.local:9001")
        .contains("kubectl -n db exec rr-rocksraft-0 -- kvctl status --endpoints " + host(0) + ":9001,")
        .contains("kubectl -n db port-forward svc/rr-rocksraft 9001 8001")
        .contains("docs/kubernetes.md");
  }
}
