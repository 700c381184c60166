package io.rocksraft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compare} without endpoints starts three-node clusters of both stores, and leaves nothing behind. */
class CompareOwnClustersTest {
  @Test
  void compareStartsBothClustersAndRemovesThemAfterwards(@TempDir Path work, @TempDir Path out) throws Exception {
    Etcd.ensureInstalled();

    Cli cli = Cli.run("compare", "--workload", "b", "--keys", "300", "--clients", "8", "--warmup", "0",
        "--duration", "2", "--json", "--work-dir", work.toString(), "--out", out.toString());

    assertThat(cli.exitCode()).isZero();
    assertThat(new ObjectMapper().readTree(cli.lastLine()).path("ratio").has("throughput")).isTrue();
    assertThat(cli.err()).contains("starting a 3-node rocksraft cluster", "starting a 3-node etcd cluster");
    JsonNode full = new ObjectMapper().readTree(out.resolve("compare-b.json").toFile());
    assertThat(full.path("rocksraft").path("summary").path("ops").asLong()).isPositive();
    assertThat(full.path("etcd").path("summary").path("ops").asLong()).isPositive();
    assertThat(Files.readString(out.resolve("compare-b.html"))).contains("rocksraft p99", "etcd p99");
    // Every started process' memory was sampled; only rocksraft nodes report heap and RocksDB figures.
    assertThat(full.path("rocksraft").path("memory")).hasSize(3).allSatisfy(node -> {
      assertThat(node.path("rssBytes").asLong()).isPositive();
      assertThat(node.path("heapUsed").asLong()).isPositive();
      assertThat(node.path("rocksdbCache").isNumber()).isTrue();
      assertThat(node.path("memtables").asLong()).isPositive();
    });
    assertThat(full.path("etcd").path("memory")).hasSize(3).allSatisfy(node -> {
      assertThat(node.path("rssBytes").asLong()).isPositive();
      assertThat(node.path("heapUsed").isNull() || node.path("heapUsed").isMissingNode()).isTrue();
    });
    assertThat(cli.out()).contains("rocksraft peak MiB", "etcd peak MiB");
    try (Stream<Path> left = Files.list(work)) {
      assertThat(left).as("cluster directories left in the work dir").isEmpty();
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive))
        .as("node or etcd processes still running").isEmpty();
  }
}
