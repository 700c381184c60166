package io.rocksraft.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.bench.cluster.RocksraftSetup;
import org.junit.jupiter.api.Test;

/** {@code --rocksraft-jvm} replaces the nodes' default JVM options; bad values are in BadOptionsTest. */
class RocksraftJvmOptionTest {
  @Test
  void givenOptionsReplaceTheDefaults() {
    WorkloadOptions options = new WorkloadOptions();
    options.rocksraftJvm = " -Xmx256m   -XX:+UseParallelGC ";

    assertThat(options.rocksraft().jvmArgs()).containsExactly("-Xmx256m", "-XX:+UseParallelGC");
  }

  @Test
  void withoutTheOptionTheNodesGetTheDefaults() {
    assertThat(new WorkloadOptions().rocksraft()).isEqualTo(RocksraftSetup.DEFAULTS);
  }
}
