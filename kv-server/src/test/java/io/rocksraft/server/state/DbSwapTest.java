package io.rocksraft.server.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.rocksraft.raftlog.RocksMemory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replacing the state database by a snapshot, and what a crash between the steps leaves. */
class DbSwapTest {
  @TempDir Path dir;
  private final RocksMemory memory = new RocksMemory(8 << 20, 8 << 20);
  private Path db;
  private SnapshotStore.Local snapshot;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @BeforeEach
  void snapshotOfAnotherDatabase() throws Exception {
    db = dir.resolve("db");
    try (StateStore other = new StateStore(dir.resolve("other"), memory)) {
      other.db().put(other.kv(), b("from"), b("snapshot"));
      SnapshotStore snapshots = new SnapshotStore(dir.resolve("snapshots"), dir.resolve("receive"), 2);
      snapshots.init(null);
      snapshot = snapshots.take(other.db(), 2, 7, 1);
    }
    try (StateStore old = new StateStore(db, memory)) {
      old.db().put(old.kv(), b("from"), b("old"));
    }
  }

  @AfterEach
  void close() {
    memory.close();
  }

  private List<String> files() {
    return snapshot.manifest().files().stream().map(SnapshotManifest.FileEntry::name).toList();
  }

  private String valueInDb() throws Exception {
    try (StateStore s = new StateStore(db, memory)) {
      return new String(s.db().get(s.kv(), b("from")), StandardCharsets.UTF_8);
    }
  }

  @Test
  void prepareAndCommitReplaceTheDatabaseAndLeaveTheSnapshotIntact() throws Exception {
    DbSwap.prepare(snapshot.dir(), db, files(), FileOps.DISK);
    DbSwap.commit(db, FileOps.DISK);

    assertThat(valueInDb()).isEqualTo("snapshot");
    assertThat(dir.resolve("db.new")).doesNotExist();
    assertThat(dir.resolve("db.swap")).doesNotExist();
    assertThat(dir.resolve("db.old")).doesNotExist();
    snapshot.manifest().verify(snapshot.dir());
  }

  @Test
  void aCrashAfterTheMarkerIsFinishedOnStart() throws Exception {
    DbSwap.prepare(snapshot.dir(), db, files(), FileOps.DISK);
    // Crash between the two renames: db is already db.old.
    Files.move(db, dir.resolve("db.old"));

    DbSwap.recover(db, FileOps.DISK);

    assertThat(valueInDb()).isEqualTo("snapshot");
    assertThat(dir.resolve("db.old")).doesNotExist();
    assertThat(dir.resolve("db.swap")).doesNotExist();
  }

  @Test
  void aCrashBeforeTheMarkerKeepsTheOldDatabase() throws Exception {
    DbSwap.prepare(snapshot.dir(), db, files(), FileOps.DISK);
    Files.delete(dir.resolve("db.swap"));

    DbSwap.recover(db, FileOps.DISK);

    assertThat(valueInDb()).isEqualTo("old");
    assertThat(dir.resolve("db.new")).doesNotExist();
  }

  @Test
  void prepareForcesEveryFileOfTheNewDatabaseBeforeItWritesTheMarker() throws Exception {
    RecordingSyncer syncer = new RecordingSyncer();

    DbSwap.prepare(snapshot.dir(), db, files(), syncer);

    List<Path> forced = syncer.forced();
    int marker = forced.indexOf(RecordingSyncer.canonical(dir.resolve("db.swap")));
    assertThat(marker).as("the marker is forced").isNotNegative();
    // A snapshot received from the leader may not be on disk yet: a hard link shares its unforced pages.
    assertThat(forced.subList(0, marker)).as("forced before the marker says db.new is complete")
        .containsAll(RecordingSyncer.tree(dir.resolve("db.new")));
  }
}
