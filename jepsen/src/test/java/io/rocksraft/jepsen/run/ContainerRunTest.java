package io.rocksraft.jepsen.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.checker.LinearizabilityChecker;
import io.rocksraft.jepsen.checker.Verdict;
import io.rocksraft.jepsen.cluster.ContainerCluster;
import io.rocksraft.jepsen.cluster.Docker;
import io.rocksraft.jepsen.nemesis.Nemesis;
import io.rocksraft.jepsen.workload.BankWorkload;
import io.rocksraft.jepsen.workload.RegisterWorkload;
import io.rocksraft.jepsen.workload.SetWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short fault-injection run of the test suite, in containers: every nemesis at least once in
 * about 90 s with the object-storage tier on, every checker valid; and the same harness against nodes with unsafe.readLocal under
 * partitions must find the register NOT linearizable.
 */
class ContainerRunTest {
  @BeforeAll
  static void requireDocker() {
    Docker.requireEngine();
  }

  private static ContainerCluster.Builder cluster() {
    // Snapshots every few thousand entries, so a wiped node is caught up by a snapshot install.
    return ContainerCluster.builder().nodes(3).jvmOptions("-Xmx256m -XX:+UseSerialGC")
        .nodeSetting("requestTimeoutMs", 3000)
        .nodeSetting("snapshot", Map.of("autoTriggerThreshold", 2000));
  }

  @Test
  void aShortRunWithEveryNemesisIsValid(@TempDir Path out) throws Exception {
    // The tier on: the leader ships snapshots to the bucket's container, and a wiped node (or a
    // member added back empty) is caught up from there, not by the leader.
    try (ContainerCluster c = cluster().tier(true).nodeSetting("snapshot", Map.of("autoTriggerThreshold", 1000))
        .build().start()) {
      Runner.Config config = new Runner.Config(Duration.ofSeconds(90), 3,
          List.of(new RegisterWorkload(4, Duration.ofSeconds(60)), new SetWorkload(), new BankWorkload(4, 100)),
          Arrays.asList(Nemesis.values()), out, 7, Duration.ofSeconds(5), Duration.ofSeconds(4),
          Duration.ofSeconds(5));
      Runner.Result result = new Runner(config).run(c, c.clientEndpoints());

      assertThat(result.checks()).allSatisfy(r -> assertThat(r.verdict()).as(r.checker() + ": " + r.summary())
          .isEqualTo(Verdict.VALID));
      assertThat(result.faults()).filteredOn(f -> !f.description().startsWith("could not start"))
          .extracting(Timeline.Interval::nemesis)
          .containsAll(Arrays.stream(Nemesis.values()).map(Nemesis::id).toList());
      assertThat(Files.readString(out.resolve("report.html"))).contains("partition", "membership", "wipe");
      assertThat(c.nodes()).as("a node that came back empty fetched its snapshot from the bucket")
          .anySatisfy(n -> assertThat(c.logs(n)).contains("from the bucket in"));
    }
  }

  @Test
  void readsWithoutReadIndexUnderPartitionsAreFoundNotLinearizable(@TempDir Path out) throws Exception {
    try (ContainerCluster c = cluster().nodeSetting("unsafe", Map.of("readLocal", true)).build().start()) {
      Runner.Config config = new Runner.Config(Duration.ofSeconds(45), 4,
          List.of(new RegisterWorkload(2, Duration.ofSeconds(60))), List.of(Nemesis.PARTITION), out, 11,
          Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(6));
      Runner.Result result = new Runner(config).run(c, c.clientEndpoints());

      CheckResult register = result.checks().stream()
          .filter(r -> r.checker().equals(LinearizabilityChecker.NAME)).findFirst().orElseThrow();
      assertThat(register.verdict()).as(register.summary()).isEqualTo(Verdict.INVALID);
      assertThat(result.valid()).isFalse();
    }
  }
}
