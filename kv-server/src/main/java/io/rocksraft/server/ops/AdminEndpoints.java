package io.rocksraft.server.ops;

import io.dropwizard.core.setup.Environment;
import io.prometheus.metrics.exporter.servlet.jakarta.PrometheusMetricsServlet;
import io.rocksraft.raftlog.LogDb;
import io.rocksraft.raftlog.RocksDatabase;
import io.rocksraft.server.raft.RaftNode;
import io.rocksraft.server.state.StateStore;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.function.Supplier;

/** Puts the node's health checks, RocksDB and memory gauges and the Prometheus text format on the admin port. */
public final class AdminEndpoints {
  private AdminEndpoints() {
  }

  public static void install(Environment environment, RaftNode raft) {
    var node = raft.config();
    environment.healthChecks().register(RaftHealthCheck.NAME, new RaftHealthCheck(raft, node.health()));
    Supplier<RocksDatabase> state = () -> {
      StateStore store = raft.store();
      return store == null ? null : store.database();
    };
    environment.healthChecks().register(RocksDbHealthCheck.NAME,
        new RocksDbHealthCheck(List.of(state, raft::logDatabase), node.dataDir(), node.health()));
    raft.tier().ifPresent(t -> environment.healthChecks().register(TierHealthCheck.NAME, new TierHealthCheck(t)));
    RocksDbGauges.register(environment.metrics(), RocksDbGauges.PREFIX, state);
    RocksDbGauges.register(environment.metrics(), MetricRegistry.name(RocksDbGauges.PREFIX, LogDb.RAFT_LOG),
        raft::logDatabase);
    MemoryGauges.register(environment.metrics(), raft.memory());
    environment.admin()
        .addServlet("prometheus", new PrometheusMetricsServlet(PrometheusExport.of(environment.metrics())))
        .addMapping(PrometheusExport.PATH);
  }
}
