package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LogPurgerTest {
  @TempDir Path dir;

  /**
   * Payloads 1..100; Ratis' log starts at {@code ratisStart} (-1: holds no entry) and the latest
   * snapshot is at {@code snapshot} (0: none).
   */
  @ParameterizedTest(name = "Ratis log from {0}, snapshot at {1}: payloads from {2} stay")
  @CsvSource({
      // Below Ratis' log start everything goes...
      "61, 80, 61",
      // ...but nothing above the latest snapshot, even when Ratis' log is empty or starts later...
      "-1, 40, 41",
      "90, 40, 41",
      // ...and nothing at all without a snapshot.
      "5, 0, 1",
  })
  void purgesBelowRatisLogStartButNeverAboveTheLatestSnapshot(long ratisStart, long snapshot, long firstKept)
      throws Exception {
    try (TestDb t = new TestDb(dir); LogPurger purger = new LogPurger(t.store, () -> ratisStart, () -> snapshot,
        "test")) {
      for (long i = 1; i <= 100; i++) {
        t.store.append(i, ("entry-" + i).getBytes(StandardCharsets.UTF_8));
      }

      assertThat(purger.purge()).isEqualTo(firstKept - 1);
      assertThat(t.store.firstIndex()).contains(firstKept);
      assertThat(t.store.lastIndex()).contains(100L);
    }
  }
}
