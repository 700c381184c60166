package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.server.internal.LogBatch;
import io.rocksraft.server.internal.Command;
import io.rocksraft.server.internal.HashPoint;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.junit.jupiter.api.Test;

/** The session clock a leader stamps: the applied clock plus its own monotonic time, never a wall clock. */
class LeaderClockTest {
  private final AtomicLong applied = new AtomicLong(5_000);
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final LeaderClock clock = new LeaderClock(applied::get, nanos::get);

  @Test
  void aNewLeaderGoesOnFromTheAppliedClockByItsMonotonicTime() {
    clock.lead();
    nanos.addAndGet(2_500_000_000L);

    assertThat(clock.now()).isEqualTo(7_500);
  }

  @Test
  void stampsNeverGoBackwardsWhenTheLeadReturnsWithAnOlderAppliedClock() {
    clock.lead();
    nanos.addAndGet(10_000_000_000L);
    long before = clock.now();
    applied.set(1_000);

    clock.lead();

    assertThat(clock.now()).isEqualTo(before);
  }

  @Test
  void aStampedBatchCarriesTheClockAndKeepsItsCommands() throws Exception {
    LogBatch batch = LogBatch.newBuilder().setClockMillis(123_456_789_000L)
        .addCommands(Command.newBuilder().setHashPoint(HashPoint.getDefaultInstance())).build();
    clock.lead();
    nanos.addAndGet(1_000_000L);

    LogBatch stamped = LogBatch.parseFrom(
        clock.stamp(UnsafeByteOperations.unsafeWrap(batch.toByteArray())).toByteArray());

    assertThat(stamped.getClockMillis()).isEqualTo(5_001);
    assertThat(stamped.getCommandsList()).isEqualTo(batch.getCommandsList());
  }
}
