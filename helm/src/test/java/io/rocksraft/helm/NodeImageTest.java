package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.Network;

/**
 * The image the chart names, built with the project's local Docker set-up, runs one member as the
 * StatefulSet would (see {@link PodContainer}) from the chart's node YAML with replicas 1. The
 * member then answers the admin health check as healthy, serves REST and kvctl, and the
 * membership hooks' scripts run against it and change nothing.
 */
class NodeImageTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POD = Chart.FULLNAME + "-0";

  private static Manifests chart;
  private static String image;
  private static Network network;
  private static PodContainer node;

  @BeforeAll
  static void startMember() throws Exception {
    PodContainer.requireDocker();
    chart = Chart.renderWithHooks(Map.of("replicas", 1));
    image = NodeImage.build(Chart.root(), chart.nodeContainer().getImage());
    network = Network.newNetwork();
    node = PodContainer.start(chart, image, 0, network);
    // Started is the startup probe (/ping); ready, the readiness probe: a leader, caught up.
    await().atMost(Duration.ofSeconds(30)).until(node::ready);
  }

  @AfterAll
  static void removeMember() {
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      if (network != null) {
        network.close();
      }
    }
  }

  @Test
  void memberAnswersTheAdminHealthCheckAsHealthy() throws Exception {
    assertThat(chart.nodeContainer().getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthcheck");
    HttpResponse<String> health = node.get(PodContainer.ADMIN, "/healthcheck");
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    JsonNode checks = JSON.readTree(health.body());
    assertThat(checks.at("/raft/healthy").asBoolean()).as(health.body()).isTrue();
    assertThat(checks.at("/raft/role").asText()).isEqualTo("LEADER");
    assertThat(checks.at("/raft/leader").asText()).isEqualTo(POD);
    assertThat(checks.at("/rocksdb/healthy").asBoolean()).as(health.body()).isTrue();
    HttpResponse<String> ping = node.get(PodContainer.ADMIN, "/ping");
    assertThat(ping.statusCode()).isEqualTo(200);
    assertThat(ping.body().strip()).isEqualTo("pong");
  }

  @Test
  void memberServesRest() throws Exception {
    HttpResponse<String> put = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(node.uri(PodContainer.REST, "/v1/kv/greeting")).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"hello\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode read = JSON.readTree(node.get(PodContainer.REST, "/v1/kv/greeting").body());
    assertThat(read.get("value").asText()).isEqualTo("hello");
  }

  @Test
  void imageRunsAsTheChartsUserWithoutFaultInjectionTools() throws Exception {
    var config = DockerClientFactory.instance().client().inspectImageCmd(image).exec().getConfig();
    PodSecurityContext pod = chart.statefulSet().getSpec().getTemplate().getSpec().getSecurityContext();
    assertThat(config.getUser()).isEqualTo(pod.getRunAsUser() + ":" + pod.getRunAsGroup());
    assertThat(config.getEnv()).contains("MALLOC_ARENA_MAX=2");
    ExecResult tools = node.exec("sh", "-c", "id -u; command -v iptables tc ip nodectl || true");
    assertThat(tools.getStdout().strip()).isEqualTo(String.valueOf(pod.getRunAsUser()));
  }

  @Test
  void kvctlInTheImageTalksToTheMember() throws Exception {
    ExecResult list = node.exec("kvctl", "member", "list", "--endpoints", "localhost:" + PodContainer.GRPC);
    assertThat(list.getExitCode()).as(list.getStderr()).isZero();
    assertThat(list.getStdout()).contains(POD).contains(PodContainer.dnsName(0)).contains("(leader)");
  }

  @Test
  void scaleUpHookFindsEveryPodAMember() throws Exception {
    ExecResult run = node.runHook(chart, "scale-up");
    assertThat(run.getExitCode()).as(run.getStdout() + run.getStderr()).isZero();
    assertThat(run.getStdout()).contains(POD + " is a member");
  }

  @Test
  void scaleDownHookRemovesNoMemberWhenTheCountDidNotGoDown() throws Exception {
    ExecResult run = node.runHook(chart, "scale-down");
    assertThat(run.getExitCode()).as(run.getStdout() + run.getStderr()).isZero();
    assertThat(run.getStdout()).contains("removed: none");
  }
}
