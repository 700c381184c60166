package io.rocksraft.bench.cluster;

import io.rocksraft.server.local.LocalCluster;
import java.util.List;
import java.util.Map;

/**
 * How the bench starts its rocksraft nodes.
 *
 * @param jvmArgs the node JVMs' options
 * @param settings added to every node's {@code node:} block (empty: the defaults)
 */
public record RocksraftSetup(List<String> jvmArgs, Map<String, Object> settings) {
  /** The nodes of {@code ./kv cluster}'s JVM options, and their default settings. */
  public static final RocksraftSetup DEFAULTS = new RocksraftSetup(LocalCluster.DEFAULT_JVM_ARGS, Map.of());

  public RocksraftSetup {
    jvmArgs = List.copyOf(jvmArgs);
    settings = Map.copyOf(settings);
  }
}
