package io.rocksraft.server.tier;

import io.rocksraft.server.state.AppliedState;
import io.rocksraft.server.state.FileOps;
import io.rocksraft.server.state.RestoredState;
import io.rocksraft.server.state.SnapshotManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Offline restore: a manifest from the bucket becomes the state database of a node that has not
 * started yet, for a new Raft group. Run it for every member of the new cluster with the same
 * manifest, then start them: they hold the same keys at the same revision, with a fresh log.
 */
public final class Restore {
  /** The directories a node keeps in its data directory; a restore needs them absent or empty. */
  private static final List<String> NODE_DIRS = List.of("db", "log", "raft", "snapshots", "snapshot-receive",
      "tier-staging");

  /** What a restore did. */
  public record Result(Manifest manifest, DownloadResult download, AppliedState rebasedFrom) {}

  private final Tier tier;

  public Restore(Tier tier) {
    this.tier = tier;
  }

  /**
   * The manifest that {@code which} names: {@code latest}, a manifest key as {@code backup list}
   * prints it, or its position {@code TERM_INDEX}.
   */
  public Manifest manifest(String which) throws IOException {
    if (which.equals("latest")) {
      return tier.catalog().readLatest().orElseThrow(() ->
          new TierException("the bucket " + tier.store().describe() + " holds no manifest"));
    }
    String key = which;
    if (which.matches("\\d+_\\d+")) {
      String[] parts = which.split("_");
      key = TierLayout.manifestKey(new SnapshotPosition(Long.parseLong(parts[0]), Long.parseLong(parts[1])));
    }
    return tier.catalog().read(key);
  }

  /**
   * Restores {@code manifest} into {@code dataDir} (its {@code db}), which must hold no node data
   * unless {@code replace}, which then deletes it first.
   */
  public Result into(Manifest manifest, Path dataDir, boolean replace) throws IOException {
    for (String name : NODE_DIRS) {
      Path dir = dataDir.resolve(name);
      if (!isEmpty(dir)) {
        if (!replace) {
          throw new IOException(dir + " is not empty: restore into a new data directory, or pass --force to "
              + "delete what is there (the node must be stopped)");
        }
        FileOps.deleteTree(dir);
      }
    }
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve("db.restore");
    FileOps.deleteTree(tmp);
    DownloadResult download = tier.downloader().download(manifest, tmp, List.of());
    // The snapshot's own metadata travels with it; a database directory has no use for it.
    Files.deleteIfExists(tmp.resolve(SnapshotManifest.FILE_NAME));
    FileOps.sync(tmp);
    Path db = dataDir.resolve("db");
    FileOps.deleteTree(db);
    FileOps.rename(tmp, db);
    AppliedState before = RestoredState.rebase(db);
    return new Result(manifest, download, before);
  }

  private static boolean isEmpty(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
