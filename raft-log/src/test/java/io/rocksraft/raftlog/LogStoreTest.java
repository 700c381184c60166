package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
  @TempDir Path dir;

  private static byte[] payload(long index) {
    return ("entry-" + index).getBytes(StandardCharsets.UTF_8);
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
}
