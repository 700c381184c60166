package io.rocksraft.bench.jmh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The benchmarks' RocksDB directories: made per trial, removed after it. */
public final class ScratchDirs {
  private ScratchDirs() {}

  public static Path create(String name) throws IOException {
    return Files.createTempDirectory("rocksraft-jmh-" + name);
  }

  public static void delete(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
