package io.rocksraft.bench.cluster;

import java.util.List;
import java.util.Map;

/**
 * How the bench starts its rocksraft nodes.
 *
 * @param jvmArgs the node JVMs' options
 * @param settings added to every node's {@code node:} block (empty: the defaults)
 */
public record RocksraftSetup(List<String> jvmArgs, Map<String, Object> settings) {
  /** Three node JVMs and the load JVM share 2 cores and 24 GiB: modest heaps, G1 as the nodes' default. */
  public static final List<String> DEFAULT_JVM_ARGS = List.of("-Xmx512m", "-XX:+UseG1GC");
  public static final RocksraftSetup DEFAULTS = new RocksraftSetup(DEFAULT_JVM_ARGS, Map.of());

  public RocksraftSetup {
    jvmArgs = List.copyOf(jvmArgs);
    settings = Map.copyOf(settings);
  }
}
