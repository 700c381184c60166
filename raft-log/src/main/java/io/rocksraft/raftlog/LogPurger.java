package io.rocksraft.raftlog;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the payloads of entries that Ratis has purged from its own log after a snapshot.
 *
 * <p>Ratis purges whole closed segments and tells the state machine nothing, so this asks it
 * instead: payloads below the first index Ratis still holds can never be read again (a
 * follower that needs them gets the snapshot), and nothing above the latest snapshot is ever
 * dropped, since a restart replays the log from the snapshot on. Payloads of entries still in
 * a Ratis segment stay, because Ratis may still send those entries to a lagging follower.
 */
public final class LogPurger implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LogPurger.class);

  private final LogStore store;
  private final LongSupplier logStartIndex;
  private final LongSupplier snapshotIndex;
  private final ScheduledExecutorService timer;
  /** Every payload at or below this index is gone (guarded by this). */
  private long purgedUpTo;

  /**
   * {@code logStartIndex}: the first index in Ratis' log, negative when it holds none;
   * {@code snapshotIndex}: the latest snapshot's index, 0 or less when there is none.
   */
  public LogPurger(LogStore store, LongSupplier logStartIndex, LongSupplier snapshotIndex, String name) {
    this.store = store;
    this.logStartIndex = logStartIndex;
    this.snapshotIndex = snapshotIndex;
    this.timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon(name + "-log-purge"));
  }

  /** Checks every {@code period} from now on. */
  public void start(Duration period) {
    timer.scheduleWithFixedDelay(() -> {
      try {
        purge();
      } catch (IOException | RuntimeException e) {
        LOG.warn("raft_log purge failed (retried next time): {}", e.getMessage());
      }
    }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Purges what can go now; returns the index up to which payloads are gone. */
  public synchronized long purge() throws IOException {
    long snapshot = snapshotIndex.getAsLong();
    long start = logStartIndex.getAsLong();
    long upTo = start < 0 ? snapshot : Math.min(snapshot, start - 1);
    if (upTo > purgedUpTo) {
      store.purge(upTo);
      purgedUpTo = upTo;
      LOG.info("raft_log payloads purged up to index {} (Ratis log starts at {}, snapshot at {})",
          upTo, start, snapshot);
    }
    return purgedUpTo;
  }

  @Override
  public void close() {
    Threads.stop(timer, true);
  }
}
