package io.rocksraft.jepsen.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.api.DockerClient;
import com.google.protobuf.ByteString;
import io.rocksraft.client.KvClient;
import io.rocksraft.client.KvClientException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;

/** A three-node cluster in containers, and the faults the nemeses will use: kill, restart, isolate, heal. */
class ContainerClusterTest {
  private static final Duration CALL = Duration.ofSeconds(15);
  private static ContainerCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Docker.requireEngine();
    // A short request timeout: a node cut off from its peers gives up sooner.
    cluster = ContainerCluster.builder().nodes(3).nodeSetting("requestTimeoutMs", 3000).build().start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) {
      cluster.close();
      assertNothingLeft(cluster.runId());
    }
  }

  @AfterEach
  void healAndRestart() throws Exception {
    cluster.heal();
    for (String id : cluster.nodes()) {
      if (cluster.exec(id, "nodectl", "pid").exitCode() != 0) {
        cluster.start(id);
      }
    }
    cluster.awaitLeader(Duration.ofSeconds(60));
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static KvClient clientOf(String... nodes) {
    return KvClient.builder().endpoints(List.of(nodes).stream().map(cluster::clientEndpoint).toList())
        .timeout(CALL).build();
  }

  @Test
  void everyNodeServesWhatAnyNodeWrote() {
    try (KvClient kv = cluster.client(CALL)) {
      kv.put(b("greeting"), b("hello"));
    }
    for (String id : cluster.nodes()) {
      try (KvClient one = clientOf(id)) {
        assertThat(one.get(b("greeting")).getKv().getValue()).isEqualTo(b("hello"));
      }
    }
  }

  @Test
  void killedLeaderRestartsInItsContainerAndCatchesUp() throws Exception {
    String leader = cluster.awaitLeader(Duration.ofSeconds(30));
    try (KvClient kv = cluster.client(CALL)) {
      kv.put(b("k"), b("before"));
      cluster.kill(leader);
      assertThat(cluster.exec(leader, "nodectl", "pid").exitCode()).isNotZero();
      // The two others elect a leader; the client finds it.
      kv.put(b("k"), b("after"));
    }
    cluster.start(leader);
    String next = cluster.awaitLeader(Duration.ofSeconds(60));
    assertThat(cluster.nodes()).contains(next);
    try (KvClient restarted = clientOf(leader)) {
      assertThat(restarted.get(b("k")).getKv().getValue()).isEqualTo(b("after"));
    }
    assertThat(cluster.logs(leader)).contains("node stopped (status 137) as asked");
  }

  @Test
  void isolatedNodeCannotReadLinearizablyWhileTheMajorityWrites() throws Exception {
    String isolated = cluster.awaitLeader(Duration.ofSeconds(30));
    List<String> majority = cluster.nodes().stream().filter(n -> !n.equals(isolated)).toList();
    cluster.isolate(isolated);
    assertThat(cluster.exec(isolated, "iptables", "-S", "INPUT").stdout())
        .contains("-s " + cluster.ipAddress(majority.get(0)) + "/32 -j DROP");

    try (KvClient kv = clientOf(majority.toArray(String[]::new))) {
      kv.put(b("during"), b("isolation"));
    }
    try (KvClient alone = KvClient.builder().endpoints(cluster.clientEndpoint(isolated))
        .timeout(Duration.ofSeconds(4)).build()) {
      assertThatThrownBy(() -> alone.get(b("during"))).isInstanceOf(KvClientException.class);
    }

    cluster.heal();
    assertThat(cluster.exec(isolated, "iptables", "-S", "INPUT").stdout()).doesNotContain("DROP");
    try (KvClient healed = clientOf(isolated)) {
      assertThat(healed.get(b("during")).getKv().getValue()).isEqualTo(b("isolation"));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void failedStartLeavesNoContainerBehind() throws Exception {
    // A node whose configuration is refused (its id is not among its peers) exits at once: no
    // leader, so start() gives up.
    ContainerCluster broken = ContainerCluster.builder().nodes(1).startTimeout(Duration.ofSeconds(10))
        .configure((id, doc) -> ((Map<String, Object>) doc.get("node")).put("id", "nobody"))
        .build();
    assertThatThrownBy(broken::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("no leader");
    assertNothingLeft(broken.runId());
  }

  private static void assertNothingLeft(String runId) {
    DockerClient docker = DockerClientFactory.instance().client();
    String label = ContainerCluster.RUN_LABEL + "=" + runId;
    assertThat(docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(label)).exec()).isEmpty();
    assertThat(docker.listNetworksCmd().withFilter("label", List.of(label)).exec()).isEmpty();
  }
}
