package io.rocksraft.bench;

import io.rocksraft.bench.cluster.EtcdCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test fixture: makes sure Debian's etcd is installed, through the project's own script. */
final class Etcd {
  private Etcd() {}

  static void ensureInstalled() throws Exception {
    if (Files.isExecutable(EtcdCluster.BINARY)) {
      return;
    }
    Path script = Path.of(System.getProperty("rocksraft.root", ".."), "bench/etcd/ensure-etcd.sh");
    Process p = new ProcessBuilder(script.toString()).inheritIO().start();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.isExecutable(EtcdCluster.BINARY)) {
      p.destroyForcibly();
      throw new IllegalStateException(EtcdCluster.BINARY + " is missing and " + script + " could not install it "
          + "(it needs root and Debian's package mirror); these tests need a real etcd");
    }
  }
}
