package io.rocksraft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rocksraft.server.local.LocalCluster;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operations that fail are errors, not latencies, and the run still reports. */
class FailedOperationsTest {
  @Test
  void operationsAgainstAPortNobodyListensOnAreCountedAsErrors(@TempDir Path out) throws Exception {
    int closed = LocalCluster.freePort(new HashSet<>());

    Cli cli = Cli.run("run", "--target", "rocksraft", "--endpoints", "127.0.0.1:" + closed, "--workload", "write",
        "--warmup", "0", "--duration", "2", "--timeout", "1", "--clients", "4", "--out", out.toString());

    assertThat(cli.exitCode()).isZero();
    JsonNode result = new ObjectMapper().readTree(out.resolve("bench-rocksraft-write.json").toFile());
    assertThat(result.path("summary").path("ops").asLong()).isZero();
    assertThat(result.path("summary").path("errors").asLong()).isPositive();
    assertThat(result.path("summary").path("p99").asDouble()).isZero();
    assertThat(result.path("timeline")).hasSize(2);
    assertThat(result.path("errorSamples")).isNotEmpty();
  }
}
