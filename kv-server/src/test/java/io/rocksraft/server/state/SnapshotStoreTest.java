package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rocksraft.raftlog.RocksMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.server.storage.FileInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.FlushOptions;

/** Checkpoints of a real state database: what a snapshot holds on disk, and how many stay. */
class SnapshotStoreTest {
  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private StateStore db;
  private SnapshotStore snapshots;

  @BeforeEach
  void open() throws Exception {
    db = new StateStore(dir.resolve("db"), memory);
    snapshots = new SnapshotStore(dir.resolve("snapshots"), dir.resolve("receive"), 2);
    snapshots.init(null);
  }

  @AfterEach
  void close() {
    db.close();
    memory.close();
  }

  private void write(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      db.db().put(db.kv(), ("key-" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
    }
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      db.db().flush(flush, db.kv());
    }
  }

  private List<Path> snapshotDirs() throws IOException {
    try (Stream<Path> dirs = Files.list(dir.resolve("snapshots"))) {
      return dirs.sorted().toList();
    }
  }

  @Test
  void aSnapshotIsACheckpointWithAManifestWhoseChecksumsMatchItsFiles() throws Exception {
    write(0, 1000);

    SnapshotStore.Local taken = snapshots.take(db.db(), 3, 42, 1000);

    assertThat(taken.dir()).isEqualTo(dir.resolve("snapshots").resolve("3_42").toAbsolutePath());
    SnapshotManifest manifest = SnapshotManifest.read(taken.dir());
    assertThat(manifest).isEqualTo(taken.manifest());
    assertThat(manifest.term()).isEqualTo(3);
    assertThat(manifest.index()).isEqualTo(42);
    assertThat(manifest.revision()).isEqualTo(1000);
    assertThat(manifest.files()).extracting(SnapshotManifest.FileEntry::name)
        .contains("CURRENT").anyMatch(n -> n.endsWith(".sst")).anyMatch(n -> n.startsWith("MANIFEST-"))
        .containsExactlyInAnyOrderElementsOf(FileOps.fileNames(taken.dir()).stream()
            .filter(n -> !n.equals(SnapshotManifest.FILE_NAME)).toList());
    for (SnapshotManifest.FileEntry f : manifest.files()) {
      Path file = taken.dir().resolve(f.name());
      assertThat(f.size()).as(f.name()).isEqualTo(Files.size(file));
      assertThat(f.crc32c()).as(f.name()).isEqualTo(SnapshotManifest.crc32c(file)).hasSize(8);
    }
    assertThat(snapshots.getLatestSnapshot().getTermIndex().getIndex()).isEqualTo(42);
    assertThat(snapshots.getLatestSnapshot().getFiles()).extracting(FileInfo::getPath)
        .contains(taken.dir().resolve(SnapshotManifest.FILE_NAME))
        .hasSize(manifest.files().size() + 1);
  }

  @Test
  void sstFilesSharedWithThePreviousSnapshotKeepTheirChecksums() throws Exception {
    write(0, 500);
    SnapshotStore.Local first = snapshots.take(db.db(), 1, 10, 500);
    write(500, 1000);

    SnapshotStore.Local second = snapshots.take(db.db(), 1, 20, 1000);

    second.manifest().verify(second.dir());
    assertThat(second.manifest().files()).filteredOn(f -> f.name().endsWith(".sst"))
        .hasSizeGreaterThan(1)
        .containsAnyElementsOf(first.manifest().files());
  }

  @Test
  void cleanupKeepsTheNewestRetainedSnapshots() throws Exception {
    for (int i = 1; i <= 4; i++) {
      write(i * 100, i * 100 + 100);
      snapshots.take(db.db(), 1, i * 10, i * 100);
      snapshots.cleanupOldSnapshots(null);
    }

    assertThat(snapshotDirs()).extracting(p -> p.getFileName().toString()).containsExactly("1_30", "1_40");
    assertThat(snapshots.latest().orElseThrow().index()).isEqualTo(40);
  }

  @Test
  void aSnapshotInterruptedBeforeItsRenameIsIgnoredAndRemovedOnStart() throws Exception {
    write(0, 100);
    snapshots.take(db.db(), 1, 10, 100);
    Files.createDirectories(dir.resolve("snapshots").resolve("1_20.tmp"));
    Files.createDirectories(dir.resolve("snapshots").resolve("1_30"));

    SnapshotStore reopened = new SnapshotStore(dir.resolve("snapshots"), dir.resolve("receive"), 2);
    reopened.init(null);

    assertThat(reopened.latest().orElseThrow().index()).isEqualTo(10);
    assertThat(dir.resolve("snapshots").resolve("1_20.tmp")).doesNotExist();
  }

  @Test
  void verifyNamesAFileThatDiffersFromTheManifest() throws Exception {
    write(0, 100);
    SnapshotStore.Local taken = snapshots.take(db.db(), 1, 10, 100);
    Path current = taken.dir().resolve("CURRENT");
    Files.writeString(current, "x", StandardOpenOption.APPEND);

    assertThatThrownBy(() -> taken.manifest().verify(taken.dir()))
        .isInstanceOf(IOException.class).hasMessageContaining("CURRENT");
  }

  @Test
  void aTakenSnapshotIsForcedUpToTheDirectoryThatNamesTheSnapshotsRoot() throws Exception {
    write(0, 100);
    Path node = dir.resolve("node");
    RecordingSyncer syncer = new RecordingSyncer();
    SnapshotStore store = new SnapshotStore(node.resolve("snapshots"), node.resolve("receive"), 2, syncer);
    store.init(null);

    SnapshotStore.Local taken = store.take(db.db(), 1, 10, 100);

    // RocksDB's checkpoint forces its files and its directory; the manifest is forced as it is written.
    assertThat(syncer.forced()).as("forced while taking snapshot %s", taken.dir())
        .contains(RecordingSyncer.canonical(node.resolve("snapshots")), RecordingSyncer.canonical(node));
  }
}
