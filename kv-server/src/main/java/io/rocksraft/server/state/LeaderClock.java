package io.rocksraft.server.state;

import io.rocksraft.server.internal.LogBatch;
import java.util.function.LongSupplier;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.CodedOutputStream;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

/**
 * The cluster's session clock as the leader stamps it on each entry: the clock the replicas
 * had applied when this node took the lead, plus what its monotonic clock has measured since.
 * No node's wall clock enters the log, so a clock step on any node (forward or back) expires
 * nothing early; time without a leader is not counted, which only keeps sessions longer.
 */
final class LeaderClock {
  private final LongSupplier applied;
  private final LongSupplier nanoTime;
  private boolean based;
  private long baseMillis;
  private long baseNanos;
  private long last;

  /** {@code applied}: the clock of the last applied entry; {@code nanoTime}: a monotonic clock. */
  LeaderClock(LongSupplier applied, LongSupplier nanoTime) {
    this.applied = applied;
    this.nanoTime = nanoTime;
  }

  /** This node takes the lead: go on from the applied clock (or from this node's last stamp, if later). */
  synchronized void lead() {
    baseMillis = Math.max(applied.getAsLong(), last);
    baseNanos = nanoTime.getAsLong();
    based = true;
  }

  /** The clock for an entry appended now: never below an earlier stamp of this node. */
  synchronized long now() {
    if (!based) {
      lead();
    }
    last = Math.max(last, baseMillis + (nanoTime.getAsLong() - baseNanos) / 1_000_000);
    return last;
  }

  /**
   * {@code payload} (a serialized LogBatch) with its clock set to {@link #now()}: a proto field
   * appended after the others wins over an earlier one, so the batch is not parsed again.
   */
  ByteString stamp(ByteString payload) {
    long millis = now();
    int field = LogBatch.CLOCK_MILLIS_FIELD_NUMBER;
    byte[] tail = new byte[CodedOutputStream.computeInt64Size(field, millis)];
    CodedOutputStream out = CodedOutputStream.newInstance(tail);
    try {
      out.writeInt64(field, millis);
      out.checkNoSpaceLeft();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("encoding the clock of an entry", e);
    }
    return payload.concat(UnsafeByteOperations.unsafeWrap(tail));
  }
}
