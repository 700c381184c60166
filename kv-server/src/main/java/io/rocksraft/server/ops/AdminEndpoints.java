package io.rocksraft.server.ops;

import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.rocksraft.server.raft.RaftNode;

/** Puts the node's health checks, RocksDB gauges and the Prometheus text format on the admin port. */
public final class AdminEndpoints {
  private AdminEndpoints() {
  }

  public static void install(Environment environment, RaftNode raft) {
    var node = raft.config();
    environment.healthChecks().register(RaftHealthCheck.NAME, new RaftHealthCheck(raft, node.health()));
    environment.healthChecks().register(RocksDbHealthCheck.NAME,
        new RocksDbHealthCheck(raft.store(), node.dataDir(), node.health()));
    RocksDbGauges.register(environment.metrics(), raft.store());
    environment.admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(PrometheusExport.of(environment.metrics())))
        .addMapping(PrometheusExport.PATH);
  }
}
