package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** The few durable file-system steps snapshots take: syncs, atomic renames, tree removal. */
public final class FileOps {
  /** Forces a file's content or a directory's entries to disk: the one way snapshot code syncs. */
  @FunctionalInterface
  public interface Syncer {
    void force(Path path) throws IOException;
  }

  /** The disk itself. */
  public static final Syncer DISK = FileOps::sync;

  private FileOps() {}

  /** Syncs a file's content, or a directory's entries (so that a rename in it survives a crash). */
  public static void sync(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Renames {@code from} to {@code to} in one step and syncs the parent directory. */
  public static void rename(Path from, Path to) throws IOException {
    rename(from, to, DISK);
  }

  /** Renames {@code from} to {@code to} in one step and forces the parent directory through {@code syncer}. */
  public static void rename(Path from, Path to, Syncer syncer) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    syncer.force(to.toAbsolutePath().getParent());
  }

  /**
   * Forces {@code dir} and everything below it through {@code syncer}: each file's content and
   * each directory's entries, deepest first. The directories naming {@code dir} are the caller's.
   */
  public static void forceTree(Path dir, Syncer syncer) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      syncer.force(p);
    }
  }

  /** Removes a file or a directory with everything in it; nothing when it does not exist. */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The regular files of a directory, by name. */
  public static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
