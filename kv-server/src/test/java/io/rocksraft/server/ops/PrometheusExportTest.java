package io.rocksraft.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PrometheusExportTest {
  private static String scrape(MetricRegistry metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, PrometheusExport.of(metrics).scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void everyOperationHasATimerAndAnErrorMeter() throws Exception {
    MetricRegistry metrics = new MetricRegistry();
    RequestMetrics requests = new RequestMetrics(metrics);
    requests.time(RequestMetrics.Op.PUT, () -> CompletableFuture.completedFuture("ok")).join();
    requests.time(RequestMetrics.Op.PUT, () -> CompletableFuture.failedFuture(new IllegalStateException("no")));
    assertThatThrownBy(() -> requests.time(RequestMetrics.Op.DELETE_RANGE, () -> {
      throw new IllegalArgumentException("bad input");
    })).isInstanceOf(IllegalArgumentException.class);

    String text = scrape(metrics);

    assertThat(text).contains("rocksraft_requests_put_count 2\n")
        .contains("rocksraft_request_errors_put_total 1.0\n")
        .contains("rocksraft_requests_delete_range_count 1\n")
        .contains("rocksraft_request_errors_delete_range_total 1.0\n")
        .contains("rocksraft_requests_get_count 0\n")
        .contains("rocksraft_requests_put{quantile=\"0.99\"}");
  }

  @Test
  void rocksDbStatisticsAreExportedPerColumnFamily() throws Exception {
    MetricRegistry metrics = new MetricRegistry();
    metrics.registerGauge("rocksraft.rocksdb.kv.memtable_bytes", () -> 4096L);
    metrics.registerGauge("rocksraft.rocksdb.meta.memtable_bytes", () -> 512L);
    metrics.registerGauge("rocksraft.rocksdb.running_compactions", () -> 0L);
    metrics.registerGauge("rocksraft.rocksdb.raft_log.sst_files", () -> (Long) null);

    String text = scrape(metrics);

    assertThat(text).contains("rocksraft_rocksdb_kv_memtable_bytes 4096")
        .contains("rocksraft_rocksdb_meta_memtable_bytes 512")
        .contains("rocksraft_rocksdb_running_compactions 0")
        .as("a gauge that cannot be read (closed store) is left out").doesNotContain("raft_log_sst_files ");
  }
}
