package io.rocksraft.bench;

import io.rocksraft.bench.cluster.Deployment;
import io.rocksraft.bench.cluster.EtcdCluster;
import io.rocksraft.bench.cluster.RocksraftCluster;
import io.rocksraft.bench.cluster.RocksraftSetup;
import io.rocksraft.bench.target.Endpoints;
import io.rocksraft.bench.target.EtcdTarget;
import io.rocksraft.bench.target.RocksraftTarget;
import io.rocksraft.bench.target.Target;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The stores the bench knows: how to start a three-node cluster of each and how to talk to it. */
enum TargetKind {
  ROCKSRAFT, ETCD;

  static final int NODES = 3;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  /** @throws IllegalArgumentException for a malformed or non-loopback list */
  List<String> parseEndpoints(String list) {
    return this == ROCKSRAFT ? Endpoints.rocksraft(list) : Endpoints.etcd(list);
  }

  /** {@code rocksraft}: how rocksraft nodes start (etcd runs with its defaults). */
  Deployment start(Path workDir, RocksraftSetup rocksraft) {
    return this == ROCKSRAFT ? RocksraftCluster.start(workDir, NODES, START_TIMEOUT, rocksraft)
        : EtcdCluster.start(workDir, NODES, START_TIMEOUT);
  }

  Target connect(List<String> endpoints, Duration timeout) {
    return this == ROCKSRAFT ? new RocksraftTarget(endpoints, timeout) : new EtcdTarget(endpoints, timeout);
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
