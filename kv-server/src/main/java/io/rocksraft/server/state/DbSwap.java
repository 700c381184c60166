package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the state database's directory with a snapshot's checkpoint, so that a crash at
 * any step leaves the old database or the new one, never a mix:
 * <ol>
 *   <li>{@link #prepare}: the checkpoint's files go into {@code db.new} (SST files as hard
 *       links, the small rest copied), every file and the directory forced; then the marker
 *       {@code db.swap} says that {@code db.new} is complete;</li>
 *   <li>{@link #commit} (database closed): {@code db} becomes {@code db.old}, {@code db.new}
 *       becomes {@code db}, the marker goes, then {@code db.old}.</li>
 * </ol>
 * {@link #recover}, before the database opens, finishes a swap whose marker exists and drops
 * a {@code db.new} without one.
 */
final class DbSwap {
  private static final Logger LOG = LoggerFactory.getLogger(DbSwap.class);

  private DbSwap() {}

  private static Path sibling(Path db, String suffix) {
    return db.resolveSibling(db.getFileName() + suffix);
  }

  /** Makes {@code db.new} a complete copy of the checkpoint in {@code snapshotDir} and marks it so. */
  static void prepare(Path snapshotDir, Path db, List<String> files, FileOps.Syncer syncer) throws IOException {
    Path next = sibling(db, ".new");
    Path marker = sibling(db, ".swap");
    Files.deleteIfExists(marker);
    FileOps.deleteTree(next);
    Files.createDirectories(next);
    for (String name : files) {
      Path from = snapshotDir.resolve(name);
      Path to = next.resolve(name);
      if (name.endsWith(".sst")) {
        linkOrCopy(from, to);
      } else {
        // RocksDB rewrites or appends to the others (MANIFEST, WAL, OPTIONS): the snapshot keeps its own.
        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
    // Links too: a link shares the snapshot's pages, which may not be on disk yet.
    FileOps.forceTree(next, syncer);
    Files.writeString(marker, snapshotDir.getFileName().toString(), StandardCharsets.UTF_8);
    syncer.force(marker);
    syncer.force(marker.toAbsolutePath().getParent());
  }

  /** SST files are never changed once written: the database and the snapshot can share them. */
  private static void linkOrCopy(Path from, Path to) throws IOException {
    try {
      Files.createLink(to, from);
    } catch (IOException | UnsupportedOperationException e) {
      // Another file system (snapshots mounted apart): a copy costs time, not correctness.
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** Puts the prepared {@code db.new} in place of {@code db}, which must be closed. */
  static void commit(Path db, FileOps.Syncer syncer) throws IOException {
    Path old = sibling(db, ".old");
    FileOps.deleteTree(old);
    if (Files.exists(db)) {
      FileOps.rename(db, old, syncer);
    }
    FileOps.rename(sibling(db, ".new"), db, syncer);
    Files.delete(sibling(db, ".swap"));
    syncer.force(db.toAbsolutePath().getParent());
    FileOps.deleteTree(old);
  }

  /** Finishes or drops a swap that a crash interrupted; call before opening {@code db}. */
  static void recover(Path db, FileOps.Syncer syncer) throws IOException {
    Path next = sibling(db, ".new");
    Path marker = sibling(db, ".swap");
    if (Files.exists(marker)) {
      if (Files.exists(next)) {
        LOG.info("finishing the interrupted replacement of {} by a snapshot", db);
        commit(db, syncer);
      } else {
        Files.delete(marker);
      }
    } else if (Files.exists(next)) {
      LOG.info("dropping {}: its preparation was interrupted", next);
      FileOps.deleteTree(next);
    }
    FileOps.deleteTree(sibling(db, ".old"));
  }
}
