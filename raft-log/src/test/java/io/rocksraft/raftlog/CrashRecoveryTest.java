package io.rocksraft.raftlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A process killed with SIGKILL keeps every entry it had flushed. */
class CrashRecoveryTest {
  @TempDir Path dir;
  @TempDir Path tmp;

  @Test
  void reopenAfterKillKeepsEveryFlushedEntry() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    // Its own tmpdir: RocksDB's unpacked native library outlives a killed process.
    Process child = new ProcessBuilder(java, "-Xmx128m", "-Djava.io.tmpdir=" + tmp,
        "-cp", System.getProperty("java.class.path"), KillAfterFlush.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    long flushed = 0;
    try (BufferedReader out = new BufferedReader(
        new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && flushed < 3000) {
        if (line.startsWith("flushed ")) {
          flushed = Long.parseLong(line.substring("flushed ".length()));
        }
      }
      // SIGKILL: no shutdown hooks, no RocksDB close.
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(flushed).isGreaterThanOrEqualTo(3000);

    try (TestDb t = new TestDb(dir)) {
      assertThat(t.store.lastIndex()).hasValueSatisfying(last -> assertThat(last).isGreaterThanOrEqualTo(3000L));
      for (long i = 1; i <= flushed; i++) {
        long index = i;
        assertThat(t.store.read(i)).as("entry %d", i)
            .hasValueSatisfying(p -> assertThat(new String(p, StandardCharsets.UTF_8)).isEqualTo("entry-" + index));
      }
    }
  }
}
