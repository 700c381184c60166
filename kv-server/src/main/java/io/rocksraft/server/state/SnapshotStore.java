package io.rocksraft.server.state;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.rocksdb.Checkpoint;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's snapshots: RocksDB checkpoints of the state database, one directory each under
 * {@code dataDir/snapshots}, named {@code TERM_INDEX}, holding the checkpoint's files and a
 * {@link SnapshotManifest}. A directory appears under that name only once complete (it is
 * written as {@code TERM_INDEX.tmp} and renamed).
 *
 * <p>To Ratis this is the {@link StateMachineStorage}: {@link #getLatestSnapshot} lists the
 * files a leader ships to a lagging follower, and the follower receives them into
 * {@link #getTmpDir} and then swaps the whole {@link #getSnapshotDir} for it.
 *
 * <p>A snapshot is on disk, its files and the directories naming it forced, before it can stand
 * in for the log: one taken here before {@link #take} returns (Ratis purges the log right after),
 * one that landed from elsewhere before {@link #reload} reports it or, for one Ratis received
 * from the leader, before {@link #getLatestSnapshot} answers (see {@link #receiving(boolean)}).
 */
public final class SnapshotStore implements StateMachineStorage {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);
  private static final Pattern NAME = Pattern.compile("(\\d+)_(\\d+)");
  private static final String TMP = ".tmp";

  /** One complete snapshot on disk. */
  public record Local(Path dir, SnapshotManifest manifest) {
    public long index() {
      return manifest.index();
    }

    public long term() {
      return manifest.term();
    }
  }

  private final Path root;
  private final Path receiveDir;
  private final int retain;
  private final FileOps.Syncer syncer;
  /** Set while Ratis may be receiving a snapshot from the leader, until one has landed and been forced. */
  private volatile boolean receiving;
  /** The snapshot directory last forced, with the directories naming it (guarded by this). */
  private Path forced;
  private volatile Local latest;
  /** What Ratis is told; asked for often (by every log appender), so kept ready. */
  private volatile FileListSnapshotInfo latestInfo;

  /** {@code retain}: how many snapshots to keep (at least 1). */
  public SnapshotStore(Path root, Path receiveDir, int retain) {
    this(root, receiveDir, retain, FileOps.DISK);
  }

  /** {@code syncer}: how snapshot files and directories are forced to disk (a test records it). */
  SnapshotStore(Path root, Path receiveDir, int retain, FileOps.Syncer syncer) {
    // Absolute: Ratis relativizes the shipped files' absolute paths against the snapshot directory.
    this.root = root.toAbsolutePath();
    this.receiveDir = receiveDir.toAbsolutePath();
    this.retain = Math.max(1, retain);
    this.syncer = syncer;
  }

  /** How this store forces files; installing a snapshot into the state database forces the same way. */
  FileOps.Syncer syncer() {
    return syncer;
  }

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    Files.createDirectories(root);
    Files.createDirectories(receiveDir);
    syncer.force(root.getParent());
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path leftover : dirs.filter(p -> p.getFileName().toString().endsWith(TMP)).toList()) {
        LOG.info("removing {}: a snapshot interrupted by a crash", leftover);
        FileOps.deleteTree(leftover);
      }
    }
    reload();
  }

  /**
   * Finds the latest complete snapshot on disk again (after Ratis installed one, or the tier
   * fetched one; at start, after a crash that may have left it in the page cache only), and
   * forces it before reporting it.
   */
  public Optional<Local> reload() throws IOException {
    List<Local> all = complete();
    Local newest = all.isEmpty() ? null : all.get(0);
    if (newest != null) {
      forceOnce(newest.dir());
    }
    setLatest(newest);
    return latest();
  }

  /**
   * Whether Ratis may be receiving a snapshot from the leader (it pauses the state machine before
   * each chunk; a leader receives none). Ratis 3.2.2 writes the chunks without forcing them and
   * renames the directory into place without syncing; then it purges its log below the snapshot at
   * once and only later has the updater thread reinitialize the machine. Its purge asks for the
   * latest snapshot before it deletes a segment, so while receiving, that question forces a
   * snapshot that has landed, and then stops looking.
   */
  public void receiving(boolean mayReceive) {
    receiving = mayReceive;
  }

  public Optional<Local> latest() {
    return Optional.ofNullable(latest);
  }

  public Path root() {
    return root;
  }

  @Override
  public SnapshotInfo getLatestSnapshot() {
    if (receiving) {
      forceLanded();
    }
    return latestInfo;
  }

  private void forceLanded() {
    try {
      List<Path> dirs = completeDirs();
      if (!dirs.isEmpty() && forceOnce(dirs.get(0))) {
        receiving = false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("forcing the snapshot received into " + root + " failed", e);
    }
  }

  /**
   * Forces a snapshot directory unless it is the one last forced: its files, itself, the root
   * naming it and the directory naming the root (Ratis swaps the whole root for a received one,
   * which is newer than any here, so its name is new). Returns whether it forced.
   */
  private synchronized boolean forceOnce(Path dir) throws IOException {
    if (dir.equals(forced)) {
      return false;
    }
    long started = System.nanoTime();
    FileOps.forceTree(dir, syncer);
    syncer.force(root);
    syncer.force(root.getParent());
    forced = dir;
    LOG.info("snapshot {} forced to disk in {} ms", dir.getFileName(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    return true;
  }

  @Override
  public void format() {
    // A new group starts with no snapshots; init creates the directories.
  }

  @Override
  public File getSnapshotDir() {
    return root.toFile();
  }

  @Override
  public File getTmpDir() {
    return receiveDir.toFile();
  }

  /**
   * Keeps the newest {@code retain} snapshots (the node's setting, {@code snapshot.retain},
   * rather than Ratis' policy) and removes the rest.
   */
  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy ignored) throws IOException {
    List<Local> all = complete();
    for (Local old : all.subList(Math.min(retain, all.size()), all.size())) {
      LOG.info("removing snapshot {} (snapshot.retain is {})", old.dir().getFileName(), retain);
      FileOps.deleteTree(old.dir());
    }
  }

  /**
   * Checkpoints {@code db} as the snapshot at {@code term}/{@code index}/{@code revision}: the
   * caller guarantees that the database holds exactly that state and changes nothing meanwhile.
   */
  public Local take(RocksDB db, long term, long index, long revision) throws IOException {
    Path dir = root.resolve(term + "_" + index);
    if (Files.isDirectory(dir)) {
      return latest().filter(l -> l.dir().equals(dir)).orElseThrow(() ->
          new IOException("snapshot " + dir + " exists but is not the latest"));
    }
    Path tmp = root.resolve(dir.getFileName() + TMP);
    FileOps.deleteTree(tmp);
    try (Checkpoint checkpoint = Checkpoint.create(db)) {
      // Flushes the memtables first, so the files hold everything applied.
      checkpoint.createCheckpoint(tmp.toString());
    } catch (RocksDBException e) {
      FileOps.deleteTree(tmp);
      throw new IOException("checkpoint into " + tmp + " failed: " + e.getMessage(), e);
    }
    Map<String, SnapshotManifest.FileEntry> known = knownChecksums(tmp);
    List<SnapshotManifest.FileEntry> files = new ArrayList<>();
    for (String name : FileOps.fileNames(tmp)) {
      SnapshotManifest.FileEntry same = known.get(name);
      files.add(same != null ? same : SnapshotManifest.describe(tmp.resolve(name)));
    }
    SnapshotManifest manifest = new SnapshotManifest(term, index, revision, System.currentTimeMillis(), files);
    // RocksDB's checkpoint forced the files it copied or wrote and its directory; the SSTs it
    // linked were forced when written. The root's own name was forced by init.
    manifest.write(tmp);
    syncer.force(tmp);
    FileOps.rename(tmp, dir, syncer);
    synchronized (this) {
      forced = dir;
    }
    Local taken = new Local(dir, manifest);
    setLatest(taken);
    return taken;
  }

  /**
   * The checksums of the previous snapshot's SST files that {@code checkpoint} shares with it
   * (hard links to the same file): those need no reading again.
   */
  private Map<String, SnapshotManifest.FileEntry> knownChecksums(Path checkpoint) throws IOException {
    Map<String, SnapshotManifest.FileEntry> known = new HashMap<>();
    Local previous = latest;
    if (previous == null) {
      return known;
    }
    for (SnapshotManifest.FileEntry e : previous.manifest().files()) {
      Path before = previous.dir().resolve(e.name());
      Path now = checkpoint.resolve(e.name());
      if (e.name().endsWith(".sst") && Files.exists(before) && Files.exists(now) && Files.isSameFile(before, now)) {
        known.put(e.name(), e);
      }
    }
    return known;
  }

  private void setLatest(Local local) {
    latest = local;
    latestInfo = local == null ? null : info(local);
  }

  /** The snapshot as Ratis ships it: every checkpoint file and the manifest. */
  private static FileListSnapshotInfo info(Local local) {
    List<FileInfo> files = new ArrayList<>();
    for (SnapshotManifest.FileEntry e : local.manifest().files()) {
      files.add(new FileInfo(local.dir().resolve(e.name()), null));
    }
    files.add(new FileInfo(local.dir().resolve(SnapshotManifest.FILE_NAME), null));
    return new FileListSnapshotInfo(files, local.term(), local.index());
  }

  /** Every complete snapshot, newest first. */
  private List<Local> complete() throws IOException {
    List<Local> all = new ArrayList<>();
    for (Path dir : completeDirs()) {
      try {
        all.add(new Local(dir, SnapshotManifest.read(dir)));
      } catch (IOException e) {
        LOG.warn("ignoring snapshot {}: unreadable manifest: {}", dir, e.getMessage());
      }
    }
    return all;
  }

  /**
   * The directories named {@code TERM_INDEX} that hold a manifest, newest first (by index, then
   * term), without reading the manifests: asked at every chunk while a snapshot is received.
   */
  private List<Path> completeDirs() throws IOException {
    record Named(Path dir, long term, long index) {}
    List<Named> named = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (m.matches() && Files.isRegularFile(dir.resolve(SnapshotManifest.FILE_NAME))) {
          named.add(new Named(dir, Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
        }
      }
    }
    named.sort(Comparator.comparingLong(Named::index).thenComparingLong(Named::term).reversed());
    return named.stream().map(Named::dir).toList();
  }
}
