package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import io.rocksraft.server.tier.Manifest.FileEntry;
import io.rocksraft.server.tier.TierMetrics.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Snapshots of a real RocksDB shipped to each backend and brought back. */
@ExtendWith(S3ProxyServer.Shared.class)
class TierUploadTest {
  private static final String CLUSTER = "test-cluster";
  private static S3ProxyServer s3;
  @TempDir Path dir;
  private final MetricRegistry registry = new MetricRegistry();
  private final TierMetrics metrics = new TierMetrics(registry);
  private ObjectStore store;
  private TestDb db;

  @BeforeAll
  static void s3(S3ProxyServer shared) {
    s3 = shared;
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
    if (db != null) {
      db.close();
    }
  }

  private TierUploader uploader(Backend backend) throws Exception {
    store = backend.open(dir, s3, metrics, TierConfig.DEFAULTS);
    db = new TestDb(dir.resolve("db"));
    return new TierUploader(store, metrics, Duration.ofHours(6), Clock.systemUTC());
  }

  private static Set<String> keys(Manifest m) {
    return m.files().stream().map(FileEntry::key).collect(Collectors.toSet());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void firstUploadShipsEveryFileThenTheManifest(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Path snap = db.write(0, 500).write(500, 1000).checkpoint(dir.resolve("snap-1"));

    UploadResult result = uploader.upload(snap, CLUSTER, 3, 120, 1000);

    Manifest m = result.manifest();
    assertThat(result.manifestWritten()).isTrue();
    assertThat(m.files()).extracting(FileEntry::name).contains("CURRENT")
        .anyMatch(n -> n.startsWith("MANIFEST-")).anyMatch(n -> n.startsWith("OPTIONS-"))
        .filteredOn(n -> n.endsWith(".sst")).hasSize(2);
    try (var files = Files.list(snap)) {
      assertThat(m.files()).hasSize((int) files.count());
    }
    assertThat(m.files()).filteredOn(f -> f.name().endsWith(".sst"))
        .allSatisfy(f -> assertThat(f.key()).isEqualTo("sst/" + f.name() + "-" + f.size() + "-" + f.crc32c()));
    assertThat(m.files()).filteredOn(f -> !f.name().endsWith(".sst"))
        .allSatisfy(f -> assertThat(f.key()).startsWith("files/" + f.name() + "-"));
    assertThat(result.filesUploaded()).isEqualTo(m.files().size());
    assertThat(new ManifestCatalog(store).readLatest()).contains(m);
    assertThat(m).extracting(Manifest::clusterId, Manifest::term, Manifest::index, Manifest::revision)
        .containsExactly(CLUSTER, 3L, 120L, 1000L);
    assertThat(store.list("manifests/")).extracting(ObjectInfo::key)
        .containsExactly("manifests/00000000000000000003_00000000000000000120.json");
    assertThat(registry.timer("rocksraft.tier.upload.duration").getCount()).isEqualTo(1);
    assertThat(registry.counter("rocksraft.tier.put.requests").getCount()).isGreaterThan(m.files().size());
    assertThat(registry.getGauges()).containsKey("rocksraft.tier.upload.last_duration_ms");
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aLaterSnapshotUploadsOnlyTheFilesTheBucketLacks(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Manifest first = uploader.upload(db.write(0, 500).write(500, 1000).checkpoint(dir.resolve("snap-1")),
        CLUSTER, 3, 120, 1000).manifest();
    long putsBefore = metrics.requests(Request.PUT);
    long getsBefore = metrics.requests(Request.GET);
    long listsBefore = metrics.requests(Request.LIST);
    long bytesBefore = metrics.uploadedBytes();

    UploadResult second = uploader.upload(db.write(1000, 1500).checkpoint(dir.resolve("snap-2")),
        CLUSTER, 3, 180, 1500);

    Set<String> added = keys(second.manifest());
    added.removeAll(keys(first));
    assertThat(added).as("one new SST, and the checkpoint's MANIFEST that grew")
        .filteredOn(k -> k.startsWith("sst/")).hasSize(1);
    assertThat(second.filesUploaded()).isEqualTo(added.size());
    assertThat(second.filesReused()).isEqualTo(second.manifest().files().size() - added.size());
    assertThat(metrics.requests(Request.PUT) - putsBefore).as("PUTs: the new files and the manifest")
        .isEqualTo(added.size() + 1);
    assertThat(metrics.requests(Request.GET) - getsBefore).as("GET: the newest manifest").isEqualTo(1);
    if (backend == Backend.DIRECTORY) {
      // (The S3 tests list in pages of 3, so there a LIST is several requests.)
      assertThat(metrics.requests(Request.LIST) - listsBefore)
          .as("LIST: repair/ once, manifests twice, sst/ and files/ once").isEqualTo(5);
    }
    long addedBytes = second.manifest().files().stream().filter(f -> added.contains(f.key()))
        .mapToLong(FileEntry::size).sum();
    assertThat(metrics.uploadedBytes() - bytesBefore)
        .isEqualTo(addedBytes + second.manifest().toJson().length);
  }

  /**
   * A LIST page answers for 1000 objects, a HEAD for one: with 2,000 objects in sst/ (three pages)
   * and a few in files/ (one), three new files get three HEADs.
   */
  @Test
  void aFewNewFilesInABigBucketAreCheckedWithHeadsRatherThanAListing() throws Exception {
    TierUploader uploader = uploader(Backend.DIRECTORY);
    assertThat(uploader.upload(db.write(0, 100).checkpoint(dir.resolve("s1")), CLUSTER, 1, 1, 1).existenceCheck())
        .isEqualTo(TierUploader.ExistenceCheck.LIST);
    Path ssts = Files.createDirectories(dir.resolve("bucket/sst"));
    for (int i = 0; i < 2000; i++) {
      // Straight into the directory: 2,000 synced PUTs would take the test's time for nothing.
      Files.write(ssts.resolve(String.format("%06d.sst-1-00000000", 100_000 + i)), new byte[1]);
    }
    assertThat(uploader.upload(db.write(100, 200).checkpoint(dir.resolve("s2")), CLUSTER, 1, 2, 2).existenceCheck())
        .as("what the bucket held was not known yet").isEqualTo(TierUploader.ExistenceCheck.LIST);
    long heads = metrics.requests(Request.HEAD);

    UploadResult third = uploader.upload(db.write(200, 300).checkpoint(dir.resolve("s3")), CLUSTER, 1, 3, 3);

    assertThat(third.existenceCheck()).isEqualTo(TierUploader.ExistenceCheck.HEAD);
    assertThat(metrics.requests(Request.HEAD) - heads).as("the new SST, MANIFEST and (empty) WAL").isEqualTo(3);
    assertThat(third.filesUploaded()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aStaleWriterCannotPublishBehindANewerManifest(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Path snap = db.write(0, 100).checkpoint(dir.resolve("snap"));
    uploader.upload(snap, CLUSTER, 5, 200, 100);

    assertThatThrownBy(() -> uploader.upload(snap, CLUSTER, 4, 900, 100))
        .isInstanceOfSatisfying(StaleManifestException.class, e -> {
          assertThat(e.attempted()).isEqualTo(new SnapshotPosition(4, 900));
          assertThat(e.newest()).isEqualTo(new SnapshotPosition(5, 200));
        })
        .hasMessageContaining("newer manifest");
    assertThatThrownBy(() -> uploader.upload(snap, CLUSTER, 5, 199, 100))
        .isInstanceOf(StaleManifestException.class);
    assertThat(new ManifestCatalog(store).list()).extracting(ManifestCatalog.Entry::position)
        .containsExactly(new SnapshotPosition(5, 200));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void theSameSnapshotTwiceIsPublishedOnceAndADifferentOneAtItsPositionIsRefused(Backend backend)
      throws Exception {
    TierUploader uploader = uploader(backend);
    Path snap = db.write(0, 100).checkpoint(dir.resolve("snap"));
    UploadResult first = uploader.upload(snap, CLUSTER, 5, 200, 100);
    long puts = metrics.requests(Request.PUT);

    UploadResult again = uploader.upload(snap, CLUSTER, 5, 200, 100);

    assertThat(again.manifestWritten()).isFalse();
    assertThat(again.manifest()).isEqualTo(first.manifest());
    assertThat(metrics.requests(Request.PUT)).isEqualTo(puts);
    Path other = db.write(100, 200).checkpoint(dir.resolve("other"));
    assertThatThrownBy(() -> uploader.upload(other, CLUSTER, 5, 200, 200))
        .isInstanceOf(StaleManifestException.class).hasMessageContaining("another writer");
    assertThat(new ManifestCatalog(store).readLatest()).contains(first.manifest());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aRestoredSnapshotOpensWithTheSameKeys(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    db.write(0, 700).write(700, 1200);
    Map<String, String> expected = new TreeMap<>(TestDb.contents(db.checkpoint(dir.resolve("probe"))));
    Path snap = db.checkpoint(dir.resolve("snap"));
    uploader.upload(snap, CLUSTER, 2, 50, 1200);
    Manifest latest = new ManifestCatalog(store).readLatest().orElseThrow();

    Path restored = dir.resolve("restored");
    DownloadResult result = new TierDownloader(store).download(latest, restored, List.of());

    assertThat(result.downloaded()).isEqualTo(latest.files().size());
    assertThat(result.bytesDownloaded()).isEqualTo(latest.totalBytes());
    assertThat(expected).hasSize(1200);
    assertThat(TestDb.contents(restored)).isEqualTo(expected);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aRestoreTakesMatchingFilesFromLocalDirectoriesAndDownloadsOnlyTheRest(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Path old = db.write(0, 300).write(300, 600).checkpoint(dir.resolve("old"));
    Manifest first = uploader.upload(old, CLUSTER, 1, 10, 600).manifest();
    Manifest second = uploader.upload(db.write(600, 900).checkpoint(dir.resolve("new")), CLUSTER, 1, 20, 900)
        .manifest();
    Path restored = dir.resolve("restored");
    Files.createDirectories(restored);
    Files.writeString(restored.resolve("LOCK"), "stray");

    DownloadResult result = new TierDownloader(store).download(second, restored, List.of(dir.resolve("none"), old));

    long sharedSsts = second.files().stream()
        .filter(f -> f.name().endsWith(".sst") && first.files().stream().anyMatch(f::sameContent)).count();
    long sharedOther = second.files().stream()
        .filter(f -> !f.name().endsWith(".sst") && first.files().stream().anyMatch(f::sameContent)).count();
    assertThat(sharedSsts).isEqualTo(2);
    assertThat(result.linked()).isEqualTo(sharedSsts);
    assertThat(result.copied()).isEqualTo(sharedOther);
    assertThat(result.downloaded()).isEqualTo(second.files().size() - sharedSsts - sharedOther);
    assertThat(result.removed()).isEqualTo(1);
    DownloadResult again = new TierDownloader(store).download(second, dir.resolve("again"), List.of(restored));
    assertThat(again.downloaded()).as("a second restore finds every file locally").isZero();
    assertThat(TestDb.contents(restored)).hasSize(900);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aCorruptObjectFailsTheRestoreWithAChecksumError(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Manifest m = uploader.upload(db.write(0, 100).checkpoint(dir.resolve("snap")), CLUSTER, 1, 5, 100).manifest();
    FileEntry sst = m.files().stream().filter(f -> f.name().endsWith(".sst")).findFirst().orElseThrow();
    byte[] bad = new byte[(int) sst.size()];
    store.put(sst.key(), bad);

    assertThatThrownBy(() -> new TierDownloader(store).download(m, dir.resolve("restored"), List.of()))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining(sst.name()).hasMessageContaining("crc32c");
    try (var left = Files.list(dir.resolve("restored"))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(TierDownloader.PARTIAL));
    }
  }

  /**
   * An object corrupted in the bucket stays named by the newest manifest, so an upload that trusts
   * that manifest never sends it again and every restore fails. A restore that finds it corrupt
   * says so in the bucket, and the next upload of a snapshot holding that file replaces it.
   */
  @ParameterizedTest
  @EnumSource(Backend.class)
  void anObjectARestoreFoundCorruptIsUploadedAgainByTheNextSnapshot(Backend backend) throws Exception {
    TierUploader uploader = uploader(backend);
    Manifest first = uploader.upload(db.write(0, 500).checkpoint(dir.resolve("snap-1")), CLUSTER, 1, 10, 500)
        .manifest();
    FileEntry sst = first.files().stream().filter(f -> f.name().endsWith(".sst")).findFirst().orElseThrow();
    store.put(sst.key(), new byte[(int) sst.size()]);
    assertThatThrownBy(() -> new TierDownloader(store).download(first, dir.resolve("restored-1"), List.of()))
        .isInstanceOf(ChecksumMismatchException.class);

    Manifest second = uploader.upload(db.write(500, 600).checkpoint(dir.resolve("snap-2")), CLUSTER, 1, 20, 600)
        .manifest();

    assertThat(keys(second)).as("the file is still in the newer snapshot").contains(sst.key());
    Path restored = dir.resolve("restored-2");
    new TierDownloader(store).download(second, restored, List.of());
    assertThat(TestDb.contents(restored)).hasSize(600);
  }
}
