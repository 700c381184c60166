package io.rocksraft.raftlog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CrashRecoveryTest}: appends entries in flushed groups,
 * reports each flushed index on stdout, and keeps appending until it is killed.
 */
public final class KillAfterFlush {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    TestDb t = new TestDb(dir);
    for (long i = 1; ; i++) {
      t.store.append(i, ("entry-" + i).getBytes(StandardCharsets.UTF_8));
      if (i % 100 == 0) {
        t.store.flush(i).get();
        System.out.println("flushed " + i);
        System.out.flush();
      }
    }
  }
}
