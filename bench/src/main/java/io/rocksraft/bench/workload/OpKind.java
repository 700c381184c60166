package io.rocksraft.bench.workload;

/** What one operation of a workload does; latencies are kept per kind. */
public enum OpKind {
  READ, UPDATE, SCAN;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
