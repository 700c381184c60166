package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.raftlog.LogDb;
import io.rocksraft.raftlog.RocksMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A snapshot that lands on this node from elsewhere is on disk, files and directories forced,
 * before Ratis may purge the log below it.
 */
class SnapshotLandingTest {
  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private final RecordingSyncer syncer = new RecordingSyncer();
  private Path node;
  /** The leader's snapshot, as it ships it. */
  private SnapshotStore.Local shipped;
  private LogDb log;
  private SnapshotStore snapshots;
  private KvStateMachine machine;

  private LeaderSnapshotCopy noCopy;

  @BeforeEach
  void leaderSnapshotAndFollower() throws Exception {
    try (StateStore leader = new StateStore(dir.resolve("leader-db"), memory)) {
      leader.db().put(leader.kv(), "k".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8));
      SnapshotStore leaderSnapshots = new SnapshotStore(dir.resolve("leader-snapshots"), dir.resolve("leader-receive"), 2);
      leaderSnapshots.init(null);
      shipped = leaderSnapshots.take(leader.db(), 2, 7, 1);
    }
    node = dir.resolve("node");
    log = new LogDb(node.resolve("log"), memory, "follower");
    snapshots = new SnapshotStore(node.resolve("snapshots"), node.resolve("snapshot-receive"), 2, syncer);
    noCopy = new LeaderSnapshotCopy(snapshots, "test", leader -> {
      throw new AssertionError("the bucket serves this test's snapshot; nothing is copied from a leader");
    });
    machine = new KvStateMachine(node.resolve("db"), memory, log.store(), snapshots, new UnforcedTier(), noCopy,
        "follower", 1000, 1000, 1 << 20, new MetricRegistry());
    snapshots.init(null);
  }

  @AfterEach
  void close() throws Exception {
    machine.close();
    log.close();
    memory.close();
  }

  @Test
  void aSnapshotReceivedFromTheLeaderIsForcedBeforeRatisCanPurgeTheLogBelowIt() throws Exception {
    machine.pause(); // Ratis pauses the machine before it writes each chunk
    receiveLikeRatis();
    syncer.clear();

    // Ratis 3.2.2 then purges its log below the snapshot before the updater thread calls
    // reinitialize(); the purge asks for the latest snapshot before it deletes a segment.
    machine.getLatestSnapshot();

    assertShippedSnapshotForced("forced once Ratis renamed the received snapshot into place");
  }

  @Test
  void aReloadWhileASnapshotIsBeingReceivedDoesNotStopTheCheck() throws Exception {
    machine.pause();
    // The updater thread reinitializing after an earlier install, before this one's rename.
    snapshots.reload();
    receiveLikeRatis();
    syncer.clear();

    machine.getLatestSnapshot();

    assertShippedSnapshotForced("forced although a reload came between the pause and the rename");
  }

  @Test
  void aSnapshotFetchedFromTheTierIsForcedBeforeTheFetchIsAnswered() throws Exception {
    // What notifyInstallSnapshotFromLeader asks when the leader's log starts at 8, past this member's.
    SnapshotCatchUp.Plan plan = new SnapshotCatchUp(new UnforcedTier(), noCopy, snapshots, "follower")
        .catchUp(null, 8, 0);

    assertThat(plan.source()).isEqualTo(SnapshotCatchUp.Source.BUCKET);
    assertThat(plan.snapshot().map(SnapshotStore.Local::index)).contains(7L);
    assertShippedSnapshotForced("forced before Ratis hears the snapshot is there");
  }

  /** Every file and directory of the shipped snapshot as it landed here, the root naming it and the node's directory. */
  private void assertShippedSnapshotForced(String when) throws IOException {
    Path root = node.resolve("snapshots");
    assertThat(syncer.forced()).as(when)
        .containsAll(RecordingSyncer.tree(root.resolve(shipped.dir().getFileName())))
        .contains(RecordingSyncer.canonical(root), RecordingSyncer.canonical(node));
  }

  /**
   * What Ratis 3.2.2's {@code SnapshotManager.installSnapshot} leaves: the chunks written, unforced,
   * below the receive directory, and then the whole snapshot directory swapped for it.
   */
  private void receiveLikeRatis() throws IOException {
    Path received = snapshots.getTmpDir().toPath().resolve("snapshot-1");
    copyUnforced(shipped.dir(), received.resolve(shipped.dir().getFileName()));
    Path root = snapshots.root();
    Path previous = root.resolveSibling("snapshots.tmp-previous");
    Files.move(root, previous);
    Files.move(received, root);
    FileOps.deleteTree(previous);
  }

  private static void copyUnforced(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    for (String name : FileOps.fileNames(from)) {
      Files.copy(from.resolve(name), to.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
    }
  }

  /** A tier that writes the fetched snapshot and renames it into place without forcing anything. */
  private final class UnforcedTier implements SnapshotTransfer {
    @Override
    public boolean enabled() {
      return true;
    }

    @Override
    public void taken(SnapshotStore.Local snapshot) {
    }

    @Override
    public void leading() {
    }

    @Override
    public Optional<Path> fetch(long minIndex, boolean awaitUpload, Path snapshotsRoot) throws IOException {
      Path tmp = snapshotsRoot.resolve(shipped.dir().getFileName() + ".tmp");
      copyUnforced(shipped.dir(), tmp);
      Path target = snapshotsRoot.resolve(shipped.dir().getFileName());
      Files.move(tmp, target);
      return Optional.of(target);
    }
  }
}
