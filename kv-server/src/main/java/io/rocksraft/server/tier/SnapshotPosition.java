package io.rocksraft.server.tier;

import java.util.Comparator;

/**
 * A snapshot's place in the Raft log: the term and index of the last entry it contains. Ordered by
 * term, then index; for committed entries this is the order of the index alone, since terms never
 * decrease along the log.
 */
public record SnapshotPosition(long term, long index) implements Comparable<SnapshotPosition> {
  private static final Comparator<SnapshotPosition> ORDER =
      Comparator.comparingLong(SnapshotPosition::term).thenComparingLong(SnapshotPosition::index);

  public SnapshotPosition {
    if (term < 0 || index < 0) {
      throw new IllegalArgumentException("term and index must not be negative: " + term + ", " + index);
    }
  }

  @Override
  public int compareTo(SnapshotPosition other) {
    return ORDER.compare(this, other);
  }

  @Override
  public String toString() {
    return "(term " + term + ", index " + index + ")";
  }
}
