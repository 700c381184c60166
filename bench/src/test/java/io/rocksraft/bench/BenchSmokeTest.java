package io.rocksraft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rocksraft.bench.cluster.EtcdCluster;
import io.rocksraft.bench.cluster.NodeProcess;
import io.rocksraft.bench.cluster.RocksraftCluster;
import io.rocksraft.bench.cluster.RocksraftSetup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool against real stores: a one-node rocksraft cluster of node processes and a three-node
 * etcd, both on free loopback ports. Checks that it works (operations counted, reports written,
 * the JSON's shape), never how fast anything is.
 */
class BenchSmokeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A few seconds a run: small key space, few clients. */
  private static final List<String> SHORT = List.of("--keys", "500", "--clients", "16", "--warmup", "1",
      "--duration", "2");
  /** Not the defaults, so that the test can see them arrive. */
  private static final List<String> NODE_JVM = List.of("-Xmx256m", "-XX:+UseSerialGC");

  @TempDir static Path clusters;
  private static RocksraftCluster rocksraft;
  private static EtcdCluster etcd;

  @BeforeAll
  static void startStores() throws Exception {
    Etcd.ensureInstalled();
    etcd = EtcdCluster.start(clusters, 3, Duration.ofSeconds(60));
    rocksraft = RocksraftCluster.start(clusters, 1, Duration.ofSeconds(60), new RocksraftSetup(NODE_JVM, Map.of()));
  }

  @AfterAll
  static void stopStores() {
    if (rocksraft != null) {
      rocksraft.close();
    }
    if (etcd != null) {
      etcd.close();
    }
  }

  private static String[] args(List<String> head, String... tail) {
    return Stream.of(head.stream(), SHORT.stream(), Stream.of(tail)).flatMap(s -> s).toArray(String[]::new);
  }

  /** One {@code run} with the short settings; returns its JSON report after checking what every run writes. */
  private static JsonNode run(String target, String endpoints, String workload, Path out, String... extra)
      throws Exception {
    String[] head = Stream.concat(Stream.of("run", "--target", target, "--endpoints", endpoints, "--workload", workload,
        "--out", out.toString()), Stream.of(extra)).toArray(String[]::new);
    Cli cli = Cli.run(args(List.of(head)));

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.err()).contains("[measured", "ops/s", "p99 so far");
    String base = "bench-" + target + "-" + workload;
    assertThat(Files.readString(out.resolve(base + ".html"))).contains("<svg", "<polyline", target)
        .doesNotContain("<script");
    JsonNode result = JSON.readTree(out.resolve(base + ".json").toFile());
    assertThat(result.path("target").asText()).isEqualTo(target);
    assertThat(result.path("summary").path("ops").asLong()).isPositive();
    assertThat(result.path("summary").path("errors").asLong()).isZero();
    assertThat(fieldNames(result.path("summary"))).contains("throughput", "p50", "p99", "p999", "max");
    return result;
  }

  @Test
  void rocksraftNodesRunWithTheGivenJvmOptions() throws Exception {
    NodeProcess node = rocksraft.processes().get(0);
    // ProcessHandle.info() gave no arguments for the node process here; /proc has them.
    String cmdline = Files.readString(Path.of("/proc", Long.toString(node.pid()), "cmdline"));
    assertThat(List.of(cmdline.split("\0"))).containsAll(NODE_JVM).doesNotContain("-Xmx512m");
  }

  @Test
  void runOnRocksraftCountsOperationsPerKindAndSecond(@TempDir Path out) throws Exception {
    JsonNode result = run("rocksraft", String.join(",", rocksraft.endpoints()), "a", out, "--distribution", "zipfian");

    assertThat(result.path("load").path("keys").asLong()).isEqualTo(500);
    assertThat(fieldNames(result.path("byKind"))).containsExactlyInAnyOrder("read", "update");
    assertThat(result.path("timeline")).hasSize(3);
    assertThat(result.path("timeline").get(0).path("phase").asText()).isEqualTo("warmup");
    assertThat(result.path("timeline").get(2).path("phase").asText()).isEqualTo("measured");
  }

  @Test
  void runOnEtcdScansWithLargeValues(@TempDir Path out) throws Exception {
    JsonNode result = run("etcd", String.join(",", etcd.endpoints()), "scan", out, "--value-size", "4096");

    assertThat(result.path("options").path("valueSize").asInt()).isEqualTo(4096);
    assertThat(result.path("byKind").path("scan").path("ops").asLong()).isPositive();
  }

  @Test
  void compareWithJsonEndsWithOneObjectOfBothStoresAndTheirRatios() throws Exception {
    Cli cli = Cli.run(args(List.of("compare", "--workload", "write", "--json",
        "--rocksraft-endpoints", String.join(",", rocksraft.endpoints()),
        "--etcd-endpoints", String.join(",", etcd.endpoints()))));

    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out()).contains("rocksraft/etcd", "throughput (ops/s)", "p99 (ms)");
    JsonNode brief = JSON.readTree(cli.lastLine());
    assertThat(fieldNames(brief)).containsExactly("rocksraft", "etcd", "ratio");
    for (String store : List.of("rocksraft", "etcd")) {
      assertThat(fieldNames(brief.path(store))).containsExactly("throughput", "p50", "p99", "p999");
      assertThat(brief.path(store).path("throughput").asDouble()).isPositive();
    }
    assertThat(fieldNames(brief.path("ratio"))).containsExactly("throughput", "p99");
    assertThat(brief.path("ratio").path("throughput").asDouble()).isPositive();
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new java.util.ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
