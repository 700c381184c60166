package io.rocksraft.bench.cluster;

import io.rocksraft.server.state.FileOps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Temporary directories of the clusters the bench starts. */
final class Directories {
  private Directories() {}

  static Path create(Path parent, String prefix) {
    try {
      Files.createDirectories(parent);
      return Files.createTempDirectory(parent, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a directory in " + parent, e);
    }
  }

  /** Deletes the tree, deepest first; a missing tree is fine. */
  static void delete(Path dir) {
    try {
      FileOps.deleteTree(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
