package io.rocksraft.bench.report;

import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.run.Stats;
import java.util.LinkedHashMap;
import java.util.Map;

/** The same workload on rocksraft and on etcd, and how they compare (rocksraft / etcd). */
public record Comparison(RunResult rocksraft, RunResult etcd) {
  public double throughputRatio() {
    return ratio(rocksraft.summary().throughput(), etcd.summary().throughput());
  }

  public double p99Ratio() {
    return ratio(rocksraft.summary().p99(), etcd.summary().p99());
  }

  static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }

  /** The one-line JSON of {@code compare --json}: exactly these keys. */
  public Map<String, Object> brief() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rocksraft", figures(rocksraft.summary()));
    out.put("etcd", figures(etcd.summary()));
    Map<String, Object> ratio = new LinkedHashMap<>();
    ratio.put("throughput", round(throughputRatio()));
    ratio.put("p99", round(p99Ratio()));
    out.put("ratio", ratio);
    return out;
  }

  private static Map<String, Object> figures(Stats s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("throughput", round(s.throughput()));
    m.put("p50", s.p50());
    m.put("p99", s.p99());
    m.put("p999", s.p999());
    return m;
  }

  /** NaN (nothing succeeded on etcd) is not JSON: it becomes null. */
  private static Double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
  }
}
