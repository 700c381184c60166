package io.rocksraft.jepsen.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.checker.Verdict;
import io.rocksraft.jepsen.nemesis.Faults;
import io.rocksraft.jepsen.nemesis.Nemesis;
import io.rocksraft.jepsen.workload.BankWorkload;
import io.rocksraft.jepsen.workload.RegisterWorkload;
import io.rocksraft.jepsen.workload.SetWorkload;
import io.rocksraft.server.local.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness on node processes (no containers, so no network faults): every workload under
 * kills, pauses and leader transfers is judged valid, every replica agrees, and the run directory
 * holds the histories, the fault timeline, the verdicts and the report.
 */
class ProcessClusterRunTest {
  /** The faults a cluster of local processes can suffer. */
  private record ProcessFaults(LocalCluster cluster) implements Faults {
    @Override
    public List<String> nodes() {
      return cluster.nodes().stream().map(LocalCluster.NodeSpec::id).toList();
    }

    @Override
    public void kill(String node) throws Exception {
      cluster.kill(node);
    }

    @Override
    public void start(String node) throws Exception {
      cluster.start(node);
    }

    @Override
    public void pause(String node) throws Exception {
      cluster.pause(node);
    }

    @Override
    public void resume(String node) throws Exception {
      cluster.resume(node);
    }

    @Override
    public void partition(List<List<String>> sides) {
      throw new UnsupportedOperationException("processes on one host share its network");
    }

    @Override
    public void heal() {
    }

    @Override
    public void wipe(String node) {
      throw new UnsupportedOperationException("not here");
    }

    @Override
    public void restartAsJoiner(String node) {
      throw new UnsupportedOperationException("not here");
    }

    @Override
    public String raftAddress(String node) {
      return cluster.node(node).raftAddress();
    }

    @Override
    public String clientAddress(String node) {
      return cluster.node(node).clientAddress();
    }
  }

  @Test
  void everyWorkloadIsValidUnderKillsPausesAndLeaderTransfers(@TempDir Path out) throws Exception {
    Path dir = Files.createTempDirectory("rocksraft-jepsen");
    LocalCluster cluster = LocalCluster.create(dir, 3, 0, List.of("-Xmx192m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1"), Map.of());
    try {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      Runner.Config config = new Runner.Config(Duration.ofSeconds(30), 3,
          List.of(new RegisterWorkload(4, Duration.ofSeconds(60)), new SetWorkload(), new BankWorkload(4, 100)),
          List.of(Nemesis.KILL, Nemesis.PAUSE, Nemesis.LEADER_TRANSFER), out, 42, Duration.ofSeconds(3),
          Duration.ofSeconds(3), Duration.ofSeconds(4));
      Runner.Result result = new Runner(config).run(new ProcessFaults(cluster), cluster.clientAddresses());

      assertThat(result.checks()).extracting(CheckResult::checker)
          .containsExactly("linearizable-register", "set", "bank", "replicas");
      assertThat(result.checks()).allSatisfy(c -> assertThat(c.verdict()).as(c.summary()).isEqualTo(Verdict.VALID));
      assertThat(result.faults()).extracting(Timeline.Interval::nemesis).contains("kill", "pause", "leader-transfer");
      assertThat(out.resolve("register.jsonl")).isNotEmptyFile();
      assertThat(out.resolve("nemesis.jsonl")).isNotEmptyFile();
      assertThat(Files.readString(out.resolve("report.html"))).contains("<svg", "VALID", "kill");
    } finally {
      for (LocalCluster.NodeSpec n : cluster.nodes()) {
        cluster.kill(n.id());
      }
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
