package io.rocksraft.bench.report;

import io.rocksraft.bench.memory.NodeMemory;
import io.rocksraft.bench.run.RunResult;
import io.rocksraft.bench.run.Stats;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The table {@code compare} prints: each figure for both stores and rocksraft / etcd. */
public final class CompareTable {
  private record Row(String name, String format, ToDoubleFunction<Stats> value) {}

  private static final List<Row> ROWS = List.of(
      new Row("throughput (ops/s)", "%.1f", Stats::throughput),
      new Row("p50 (ms)", "%.2f", Stats::p50),
      new Row("p99 (ms)", "%.2f", Stats::p99),
      new Row("p99.9 (ms)", "%.2f", Stats::p999),
      new Row("max (ms)", "%.2f", Stats::max),
      new Row("ops", "%.0f", Stats::ops),
      new Row("errors", "%.0f", Stats::errors));

  private CompareTable() {}

  public static String render(Comparison c) {
    StringBuilder out = new StringBuilder();
    String line = "%-20s %14s %14s %16s%n";
    out.append(String.format(line, "", "rocksraft", "etcd", "rocksraft/etcd"));
    for (Row row : ROWS) {
      double r = row.value().applyAsDouble(c.rocksraft().summary());
      double e = row.value().applyAsDouble(c.etcd().summary());
      double ratio = Comparison.ratio(r, e);
      out.append(String.format(line, row.name(), String.format(row.format(), r), String.format(row.format(), e),
          Double.isFinite(ratio) ? String.format("%.3f", ratio) : "-"));
    }
    out.append(memory(c.rocksraft()));
    out.append(memory(c.etcd()));
    return out.toString();
  }

  /** Each started process' peak memory in MiB; nothing when the run used given endpoints. */
  public static String memory(RunResult run) {
    if (run.memory().isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    String line = "%-20s %10s %10s %10s %10s %10s %10s%n";
    out.append(String.format("%n" + line, run.target() + " peak MiB", "rss", "heap used", "heap comm.", "direct",
        "rocksdb $", "memtables"));
    for (NodeMemory m : run.memory()) {
      out.append(String.format(line, "  " + m.name(), mib(m.rssBytes()), mib(m.heapUsed()), mib(m.heapCommitted()),
          mib(m.directBytes()), mib(m.rocksdbCache()), mib(m.memtables())));
    }
    return out.toString();
  }

  private static String mib(Long bytes) {
    return bytes == null ? "-" : String.format("%.1f", bytes / (1024.0 * 1024.0));
  }
}
