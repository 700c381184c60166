package io.rocksraft.jepsen;

import io.rocksraft.jepsen.checker.CheckResult;
import io.rocksraft.jepsen.cluster.ContainerCluster;
import io.rocksraft.jepsen.nemesis.Nemesis;
import io.rocksraft.jepsen.run.Runner;
import io.rocksraft.jepsen.workload.BankWorkload;
import io.rocksraft.jepsen.workload.RegisterWorkload;
import io.rocksraft.jepsen.workload.SetWorkload;
import io.rocksraft.jepsen.workload.Workload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./kv jepsen}: one fault-injection run against a fresh three-node cluster in containers.
 * Exit status 0 only when every checker says valid; 1 when any says invalid or unknown.
 */
@Command(name = "jepsen", mixinStandardHelpOptions = true,
    description = "Runs workloads against a cluster in containers while faults are injected, then checks the histories.")
public final class JepsenCommand implements Callable<Integer> {
  @Option(names = "--time", defaultValue = "60", description = "seconds of workload and faults (default ${DEFAULT-VALUE})")
  int seconds;

  @Option(names = "--nemesis", defaultValue = "all", split = ",",
      description = "faults, comma separated, or all: kill, pause, partition, membership, leader-transfer, wipe")
  List<String> nemeses;

  @Option(names = "--workload", defaultValue = "register,set,bank", split = ",",
      description = "workloads, comma separated: register, set, bank (default ${DEFAULT-VALUE})")
  List<String> workloads;

  @Option(names = "--out", description = "where the run directory goes (default: ./jepsen-runs)")
  Path out = Path.of("jepsen-runs");

  @Option(names = "--clients", defaultValue = "3", description = "client threads per workload (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--seed", description = "random seed (default: the clock)")
  Long seed;

  @Option(names = "--tier", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "the object-storage tier on, with an S3 bucket in its own container, so that a wiped node"
          + " recovers from the bucket (default on; --no-tier: it recovers from the leader)")
  boolean tier;

  @Option(names = "--unsafe-read-local", description = "run the nodes with unsafe.readLocal (the checker should fail)")
  boolean unsafeReadLocal;

  /** Every node's output (all its runs) and the bucket's, beside the histories, for a post-mortem. */
  private static void saveLogs(ContainerCluster cluster, Path dir) {
    try {
      Files.createDirectories(dir.resolve("logs"));
      for (String node : cluster.nodes()) {
        Files.writeString(dir.resolve("logs").resolve(node + ".log"), cluster.logs(node));
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("could not save the nodes' logs: " + e.getMessage());
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new JepsenCommand()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    List<Nemesis> faults = nemeses.equals(List.of("all")) ? Arrays.asList(Nemesis.values())
        : nemeses.stream().map(Nemesis::parse).toList();
    List<Workload> chosen = new ArrayList<>();
    for (String w : workloads) {
      chosen.add(switch (w) {
        case "register" -> new RegisterWorkload(4, Duration.ofMinutes(5));
        case "set" -> new SetWorkload();
        case "bank" -> new BankWorkload(4, 100);
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "no workload '" + w + "'; known: register, set, bank");
      });
    }
    long runSeed = seed != null ? seed : System.currentTimeMillis();
    Path dir = out.resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    ContainerCluster.Builder builder = ContainerCluster.builder().nodes(3).jvmOptions("-Xmx384m")
        .nodeSetting("requestTimeoutMs", 3000)
        .nodeSetting("snapshot", Map.of("autoTriggerThreshold", 5000))
        .tier(tier);
    if (unsafeReadLocal) {
      builder.nodeSetting("unsafe", Map.of("readLocal", true));
    }
    System.out.printf("run %s: %d s, nemeses %s, workloads %s, tier %s, seed %d%n", dir, seconds,
        faults.stream().map(Nemesis::id).toList(), workloads, tier ? "on" : "off", runSeed);
    try (ContainerCluster cluster = builder.build().start()) {
      Runner.Config config = new Runner.Config(Duration.ofSeconds(seconds), clients, chosen, faults, dir, runSeed,
          Duration.ofSeconds(5), Duration.ofSeconds(8), Duration.ofSeconds(8));
      Runner.Result result;
      try {
        result = new Runner(config).run(cluster, cluster.clientEndpoints());
      } finally {
        saveLogs(cluster, dir);
      }
      for (CheckResult c : result.checks()) {
        System.out.printf("%-22s %-8s %s%n", c.checker(), c.verdict(), c.summary());
      }
      System.out.printf("%s: %s (%d faults); report %s%n", result.valid() ? "VALID" : "NOT VALID", dir,
          result.faults().size(), dir.resolve("report.html"));
      return result.valid() ? 0 : 1;
    }
  }
}
