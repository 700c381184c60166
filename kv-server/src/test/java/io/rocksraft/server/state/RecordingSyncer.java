package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/** Forces for real and remembers, in order, every path it forced. */
final class RecordingSyncer implements FileOps.Syncer {
  private final List<Path> forced = new CopyOnWriteArrayList<>();

  @Override
  public void force(Path path) throws IOException {
    FileOps.sync(path);
    forced.add(canonical(path));
  }

  List<Path> forced() {
    return List.copyOf(forced);
  }

  void clear() {
    forced.clear();
  }

  /** {@code dir}, every directory below it and every file in them: what must be forced for it to survive a power cut. */
  static List<Path> tree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.map(RecordingSyncer::canonical).toList();
    }
  }

  static Path canonical(Path path) {
    return path.toAbsolutePath().normalize();
  }
}
