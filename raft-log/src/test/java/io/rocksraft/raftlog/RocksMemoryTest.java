package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksMemoryTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  /**
   * RocksDB's own memtable size is 64 MiB per column family: 24 MiB of payloads would all stay in
   * memory. The shared budget of 2 MiB flushes them, and the cache carries their charge. A flush is
   * decided at a write, for the database written to, and runs in the background, so the bound is
   * soft: it holds to within a memtable or two (each at most a quarter of the budget).
   */
  @Test
  void memtablesOfEveryDatabaseStayWithinTheSharedBudget() throws Exception {
    try (RocksMemory memory = new RocksMemory(4 * MIB, 2 * MIB);
         LogDb first = new LogDb(dir.resolve("a"), memory, "a");
         LogDb second = new LogDb(dir.resolve("b"), memory, "b")) {
      byte[] payload = new byte[4096];
      Random random = new Random(1);
      for (long i = 1; i <= 3072; i++) {
        random.nextBytes(payload);
        first.store().append(i, payload);
        second.store().append(i, payload);
      }
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(memtables(first) + memtables(second)).isLessThanOrEqualTo(2 * 2 * MIB));
      assertThat(first.database().sstFiles(LogDb.RAFT_LOG) + second.database().sstFiles(LogDb.RAFT_LOG))
          .isPositive();
      assertThat(first.database().property(null, "rocksdb.block-cache-usage"))
          .isGreaterThanOrEqualTo(memtables(first) + memtables(second));
      assertThat(memory.pinnedBytes()).isPresent();
    }
  }

  @Test
  void budgetsMustBePositiveAndStatisticsEndWithClose() {
    assertThatThrownBy(() -> new RocksMemory(0, MIB)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RocksMemory(MIB, -1)).isInstanceOf(IllegalArgumentException.class);
    RocksMemory memory = new RocksMemory(MIB, MIB);
    assertThat(memory.capacityBytes()).isEqualTo(2 * MIB);
    memory.close();
    memory.close();
    assertThat(memory.pinnedBytes()).isEmpty();
  }

  private static long memtables(LogDb db) throws Exception {
    return db.database().property(LogDb.RAFT_LOG, "rocksdb.cur-size-all-mem-tables");
  }
}
