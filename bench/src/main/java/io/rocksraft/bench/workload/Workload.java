package io.rocksraft.bench.workload;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * The operation mixes: YCSB's core workloads A (update heavy), B (read mostly) and C (read only),
 * plus write-only and short range scans. Updates are plain puts of an existing key, as in YCSB.
 */
public enum Workload {
  A(50, 50, 0),
  B(95, 5, 0),
  C(100, 0, 0),
  WRITE(0, 100, 0),
  SCAN(0, 0, 100);

  private final int readPercent;
  private final int updatePercent;

  Workload(int readPercent, int updatePercent, int scanPercent) {
    if (readPercent + updatePercent + scanPercent != 100) {
      throw new IllegalArgumentException("a mix must add up to 100%");
    }
    this.readPercent = readPercent;
    this.updatePercent = updatePercent;
  }

  public OpKind next(RandomGenerator random) {
    int roll = random.nextInt(100);
    if (roll < readPercent) {
      return OpKind.READ;
    }
    return roll < readPercent + updatePercent ? OpKind.UPDATE : OpKind.SCAN;
  }

  /** Reads and scans need the keys to be there first; a write-only run does not. */
  public boolean needsLoad() {
    return this != WRITE;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
