package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

class LogStoreTest {
  @TempDir Path dir;

  private static byte[] payload(long index) {
    return ("entry-" + index).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] newLeaders(long index) {
    return ("new-leader-" + index).getBytes(StandardCharsets.UTF_8);
  }

  /** A real WAL sync that waits for a permit first, so a test decides when each sync runs. */
  private static final class HeldSync implements LogStore.WalSync {
    private final RocksDB db;
    private final Semaphore permits = new Semaphore(0);
    private final AtomicInteger started = new AtomicInteger();

    HeldSync(RocksDB db) {
      this.db = db;
    }

    @Override
    public void sync() throws RocksDBException {
      started.incrementAndGet();
      permits.acquireUninterruptibly();
      db.syncWal();
    }

    void releaseAll() {
      permits.release(1_000);
    }
  }

  @Test
  void appendedPayloadsReadBackByIndex() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 100; i++) {
        t.store.append(i, payload(i));
      }
      for (long i = 1; i <= 100; i++) {
        assertThat(t.store.read(i).orElseThrow()).isEqualTo(payload(i));
      }
      assertThat(t.store.read(101)).isEmpty();
      assertThat(t.store.firstIndex()).contains(1L);
      assertThat(t.store.lastIndex()).contains(100L);
    }
  }

  @Test
  void indexesOrderNumericallyNotAsText() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      t.store.append(9, payload(9));
      t.store.append(10, payload(10));
      t.store.append(300, payload(300));
      assertThat(t.store.firstIndex()).contains(9L);
      assertThat(t.store.lastIndex()).contains(300L);
    }
  }

  @Test
  void truncateDropsTheTailFromTheGivenIndex() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 10; i++) {
        t.store.append(i, payload(i));
      }
      t.store.truncate(6);
      assertThat(t.store.lastIndex()).contains(5L);
      assertThat(t.store.read(5)).isPresent();
      assertThat(t.store.read(6)).isEmpty();
      assertThat(t.store.read(10)).isEmpty();
      // A new leader's entries take the truncated places.
      t.store.append(6, "other".getBytes(StandardCharsets.UTF_8));
      assertThat(t.store.read(6)).hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("other"));
    }
  }

  @Test
  void purgeDropsPayloadsUpToTheSnapshotIndex() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 10; i++) {
        t.store.append(i, payload(i));
      }
      t.store.purge(7);
      assertThat(t.store.firstIndex()).contains(8L);
      assertThat(t.store.read(7)).isEmpty();
      assertThat(t.store.read(8)).isPresent();
      assertThat(t.store.lastIndex()).contains(10L);
    }
  }

  @Test
  void flushMakesEverythingAppendedDurableWithOneSync() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 50; i++) {
        t.store.append(i, payload(i));
      }
      t.store.flush(10).get();
      // The sync covered all 50 appended entries, so a later flush below 50 needs no sync.
      assertThat(t.store.durableIndex()).isEqualTo(50);
      assertThat(t.store.flush(50)).isCompleted();
    }
  }

  @Test
  void truncateLowersTheDurableIndex() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 10; i++) {
        t.store.append(i, payload(i));
      }
      t.store.flush(10).get();
      t.store.truncate(4);
      assertThat(t.store.durableIndex()).isEqualTo(3);
      t.store.append(4, payload(4));
      assertThat(t.store.flush(4)).isNotNull();
      t.store.flush(4).get();
      assertThat(t.store.durableIndex()).isEqualTo(4);
    }
  }

  @Test
  void reopenKeepsEntries() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 20; i++) {
        t.store.append(i, payload(i));
      }
      t.store.flush(20).get();
    }
    try (TestDb t = new TestDb(dir)) {
      assertThat(t.store.lastIndex()).contains(20L);
      assertThat(t.store.durableIndex()).isEqualTo(20);
      assertThat(t.store.read(13)).hasValueSatisfying(p -> assertThat(p).isEqualTo(payload(13)));
    }
  }

  @Test
  void aSyncRunningAcrossATruncateDoesNotMakeTheNewLeadersEntriesDurable() throws Exception {
    try (TestDb t = new TestDb(dir)) {
      HeldSync sync = new HeldSync(t.db());
      try (LogStore store = t.storeWith(sync)) {
        try {
          for (long i = 1; i <= 10; i++) {
            store.append(i, payload(i));
          }
          CompletableFuture<Void> oldLeaders = store.flush(10);
          await().until(() -> sync.started.get() == 1);
          // While that sync runs, the appendEntries thread replaces the tail 6..10 by a new leader's entries.
          store.truncate(6);
          for (long i = 6; i <= 10; i++) {
            store.append(i, newLeaders(i));
          }
          sync.permits.release();
          await().until(() -> oldLeaders.isDone() || sync.started.get() == 2);

          assertThat(store.durableIndex())
              .as("the sync began before the truncate: of what it covered only 1..5 is still in the log")
              .isEqualTo(5);
          assertThat(store.flush(10))
              .as("flush(10) while no sync that began after the new leader's appends has finished")
              .isNotDone();
        } finally {
          sync.releaseAll();
        }
        store.flush(10).get();
        assertThat(store.durableIndex()).isEqualTo(10);
      }
    }
  }

  @Test
  void aPayloadWrittenAgainAtADurableIndexWaitsForTheNextSync() throws Exception {
    // After a crash raft_log can hold payloads past Ratis' last header (the WAL sync finished, the
    // segment's did not): the next leader's entries then overwrite them without a truncate.
    try (TestDb t = new TestDb(dir)) {
      for (long i = 1; i <= 10; i++) {
        t.store.append(i, payload(i));
      }
      t.store.flush(10).get();
    }
    try (TestDb t = new TestDb(dir)) {
      AtomicInteger syncs = new AtomicInteger();
      try (LogStore store = t.storeWith(() -> {
        syncs.incrementAndGet();
        t.db().syncWal();
      })) {
        store.append(6, newLeaders(6));

        assertThat(store.durableIndex()).as("durable index once index 6 holds an unsynced payload").isEqualTo(5);
        store.flush(6).get();
        assertThat(syncs).as("WAL syncs for flush(6)").hasValue(1);
      }
    }
  }
}
