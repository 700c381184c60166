package io.rocksraft.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.rocksraft.client.PemTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

  @Test
  void withTlsTheProbesAndTheHooksSpeakTlsAndPlainTextIsRefused(@TempDir Path dir) throws Exception {
    PodContainer.requireDocker();
    Path certs = secret(dir);
    Map<String, Object> tls = Map.of("tls.existingSecret", "rr-tls", "tls.clientAuth", "require");
    Manifests install = Chart.renderWithHooks(with(tls, "replicas", 1));
    Manifests upgradeToThree = Chart.renderWithHooks(with(with(tls, "replicas", 3), "cluster.join", "true"));
    String image = NodeImage.build(Chart.root(), install.nodeContainer().getImage());
    network = Network.newNetwork();
    try (PemTls trust = PemTls.load(certs.resolve("ca.crt"), null, null, Duration.ofMinutes(1))) {
      PodContainer first = PodContainer.start(install, image, 0, network, certs, trust.sslContext());
      pods.add(first);
      await().atMost(Duration.ofSeconds(30)).until(first::ready);
      for (int i = 1; i <= 2; i++) {
        pods.add(PodContainer.start(upgradeToThree, image, i, network, certs, trust.sslContext()));
      }
      ExecResult up = first.runHook(upgradeToThree, "scale-up");
      assertThat(up.getExitCode()).as(up.getStdout() + up.getStderr()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> pods.stream().allMatch(PodContainer::ready));
      assertThat(members(first, "--cacert", PodContainer.TLS_DIR + "/ca.crt", "--cert", PodContainer.TLS_DIR + "/tls.crt",
          "--key", PodContainer.TLS_DIR + "/tls.key"))
          .containsExactlyInAnyOrder(Chart.FULLNAME + "-0", Chart.FULLNAME + "-1", Chart.FULLNAME + "-2");
      ExecResult plain = first.exec("kvctl", "member", "list", "--endpoints", "localhost:" + PodContainer.GRPC,
          "--timeout", "2s");
      assertThat(plain.getExitCode()).as("plain text to a TLS node").isNotZero();
    }
  }

  private static Map<String, Object> with(Map<String, Object> values, String key, Object value) {
    Map<String, Object> out = new java.util.HashMap<>(values);
    out.put(key, value);
    return out;
  }

  /**
   * Test certificates laid out as cert-manager's Secret is (tls.crt, tls.key, ca.crt), for every
   * pod's DNS name, readable by the pod's user as a Secret volume is.
   */
  private static Path secret(Path dir) throws Exception {
    ProcessBuilder make = new ProcessBuilder(Chart.root().resolve("config/tls/make-test-ca.sh").toString(),
        dir.toString()).redirectErrorStream(true);
    make.environment().put("NODE_SANS", "DNS:*." + Chart.FULLNAME + "-headless." + Chart.NAMESPACE + ".svc.cluster.local");
    Process p = make.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    Path secret = Files.createDirectories(dir.resolve("secret"));
    Files.copy(dir.resolve("node.crt"), secret.resolve("tls.crt"));
    Files.copy(dir.resolve("node.key"), secret.resolve("tls.key"));
    Files.copy(dir.resolve("ca.crt"), secret.resolve("ca.crt"));
    for (String f : List.of("tls.crt", "tls.key", "ca.crt")) {
      Files.setPosixFilePermissions(secret.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
    }
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    return secret;
  }

  private static List<String> members(PodContainer pod, String... tls) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("kvctl", "member", "list", "--endpoints", "localhost:" + PodContainer.GRPC));
    cmd.addAll(List.of(tls));
    ExecResult list = pod.exec(cmd.toArray(String[]::new));
    assertThat(list.getExitCode()).as(list.getStderr()).isZero();
    return list.getStdout().lines().skip(1).map(l -> l.split("\\s+")[0]).toList();
  }
}
