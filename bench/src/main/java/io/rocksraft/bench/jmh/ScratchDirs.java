package io.rocksraft.bench.jmh;

import io.rocksraft.server.state.FileOps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The benchmarks' RocksDB directories: made per trial, removed after it. */
public final class ScratchDirs {
  private ScratchDirs() {}

  public static Path create(String name) throws IOException {
    return Files.createTempDirectory("rocksraft-jmh-" + name);
  }

  public static void delete(Path dir) throws IOException {
    FileOps.deleteTree(dir);
  }
}
