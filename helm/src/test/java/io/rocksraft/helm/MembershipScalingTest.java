package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.Network;

/**
 * Scaling as the chart does it, with real members in containers that find each other by their
 * StatefulSet DNS names: installed with replicas 1, upgraded to 3 (the new pods start with the
 * upgrade's node YAML, join true, and the scale-up hook adds them through the membership API),
 * then back to 1 (the scale-down hook removes the two, highest first, before their pods would go).
 */
class MembershipScalingTest {
  private final List<PodContainer> pods = new ArrayList<>();
  private Network network;

  @AfterEach
  void removePods() {
    try {
      for (int i = pods.size() - 1; i >= 0; i--) {
        pods.get(i).close();
      }
    } finally {
      if (network != null) {
        network.close();
      }
    }
  }

  @Test
  void hooksGrowTheGroupToTheReplicaCountAndShrinkItBack() throws Exception {
    PodContainer.requireDocker();
    Manifests install = Chart.renderWithHooks(Map.of("replicas", 1));
    // helm upgrade renders node.join true (Release.IsInstall is false); helm template renders an install.
    Manifests upgradeToThree = Chart.renderWithHooks(Map.of("replicas", 3, "cluster.join", "true"));
    Manifests upgradeToOne = Chart.renderWithHooks(Map.of("replicas", 1, "cluster.join", "true"));
    String image = NodeImage.build(Chart.root(), install.nodeContainer().getImage());
    network = Network.newNetwork();

    PodContainer first = PodContainer.start(install, image, 0, network);
    pods.add(first);
    await().atMost(Duration.ofSeconds(30)).until(first::ready);

    // The StatefulSet starts pods 1 and 2; they answer, but are not members (not ready) until added.
    for (int i = 1; i <= 2; i++) {
      pods.add(PodContainer.start(upgradeToThree, image, i, network));
    }
    assertThat(pods.get(1).ready()).isFalse();
    ExecResult up = first.runHook(upgradeToThree, "scale-up");
    assertThat(up.getExitCode()).as(up.getStdout() + up.getStderr()).isZero();
    assertThat(up.getStdout()).contains(Chart.FULLNAME + "-1 is a member", Chart.FULLNAME + "-2 is a member");
    assertThat(members(first)).containsExactlyInAnyOrder(Chart.FULLNAME + "-0", Chart.FULLNAME + "-1", Chart.FULLNAME + "-2");
    await().atMost(Duration.ofSeconds(60)).until(() -> pods.stream().allMatch(PodContainer::ready));
    // A second run of the hook (an upgrade that changed nothing) adds nothing.
    assertThat(first.runHook(upgradeToThree, "scale-up").getExitCode()).isZero();

    ExecResult down = first.runHook(upgradeToOne, "scale-down");
    assertThat(down.getExitCode()).as(down.getStdout() + down.getStderr()).isZero();
    assertThat(down.getStdout()).containsSubsequence("removing member " + Chart.FULLNAME + "-2",
        "removing member " + Chart.FULLNAME + "-1");
    assertThat(members(first)).containsExactly(Chart.FULLNAME + "-0");
    await().atMost(Duration.ofSeconds(30)).until(first::ready);
  }

  private static List<String> members(PodContainer pod) throws Exception {
    ExecResult list = pod.exec("kvctl", "member", "list", "--endpoints", "localhost:" + PodContainer.GRPC);
    assertThat(list.getExitCode()).as(list.getStderr()).isZero();
    return list.getStdout().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
  }
}
