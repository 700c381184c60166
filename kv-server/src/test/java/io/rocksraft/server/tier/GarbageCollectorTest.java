package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import io.rocksraft.server.tier.Manifest.FileEntry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Retention drops old manifests; garbage collection then deletes only what no manifest names. */
@ExtendWith(S3ProxyServer.Shared.class)
class GarbageCollectorTest {
  private static S3ProxyServer s3;
  /** A clock a minute ahead, so that with no grace every object is old enough (S3 times are whole seconds). */
  private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));
  @TempDir Path dir;
  private final TierMetrics metrics = new TierMetrics(new MetricRegistry());
  private ObjectStore store;
  private TestDb db;
  private TierUploader uploader;

  @BeforeAll
  static void s3(S3ProxyServer shared) {
    s3 = shared;
  }

  private void open(Backend backend) throws Exception {
    store = backend.open(dir, s3, metrics, TierConfig.DEFAULTS);
    db = new TestDb(dir.resolve("db"));
    uploader = new TierUploader(store, metrics, Duration.ofHours(6), Clock.systemUTC());
  }

  @AfterEach
  void close() {
    store.close();
    db.close();
  }

  private Set<String> dataObjects() throws Exception {
    Set<String> keys = new HashSet<>();
    for (String prefix : TierLayout.DATA_PREFIXES) {
      store.list(prefix).forEach(o -> keys.add(o.key()));
    }
    return keys;
  }

  private static Set<String> keys(Manifest m) {
    return m.files().stream().map(FileEntry::key).collect(Collectors.toSet());
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void collectionDeletesOnlyObjectsNoKeptManifestNames(Backend backend) throws Exception {
    open(backend);
    Manifest first = uploader.upload(db.write(0, 300).write(300, 600).checkpoint(dir.resolve("s1")), "c", 1, 10, 1)
        .manifest();
    Manifest second = uploader.upload(db.write(600, 900).compact().checkpoint(dir.resolve("s2")), "c", 1, 20, 2)
        .manifest();
    Manifest third = uploader.upload(db.write(900, 1000).checkpoint(dir.resolve("s3")), "c", 1, 30, 3).manifest();
    String orphan = TierLayout.objectKey("000999.sst", 3, "0000abcd");
    store.put(orphan, new byte[3]);

    ManifestCatalog catalog = new ManifestCatalog(store);
    assertThat(catalog.retain(2)).extracting(ManifestCatalog.Entry::position)
        .containsExactly(first.position());
    GarbageCollector.Result result = new GarbageCollector(store, Duration.ZERO, LATER).collect();

    Set<String> kept = new HashSet<>(keys(second));
    kept.addAll(keys(third));
    Set<String> onlyFirst = new HashSet<>(keys(first));
    onlyFirst.removeAll(kept);
    assertThat(onlyFirst).as("the compaction replaced the first snapshot's SSTs").isNotEmpty();
    assertThat(dataObjects()).isEqualTo(kept);
    assertThat(result.deleted()).isEqualTo(onlyFirst.size() + 1);
    assertThat(result.manifests()).isEqualTo(2);
    assertThat(catalog.list()).extracting(ManifestCatalog.Entry::position)
        .containsExactly(third.position(), second.position());
    new TierDownloader(store).download(second, dir.resolve("restored"), List.of());
    assertThat(TestDb.contents(dir.resolve("restored"))).as("the older kept snapshot still restores").hasSize(900);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void unreferencedObjectsYoungerThanTheGracePeriodStay(Backend backend) throws Exception {
    open(backend);
    uploader.upload(db.write(0, 100).checkpoint(dir.resolve("s1")), "c", 1, 10, 1);
    // An upload under way: its files are in, its manifest is not yet.
    String inFlight = TierLayout.objectKey("000042.sst", 5, "00001234");
    store.put(inFlight, new byte[5]);

    GarbageCollector.Result result = new GarbageCollector(store, Duration.ofHours(1), Clock.systemUTC()).collect();

    assertThat(result.deleted()).isZero();
    assertThat(result.unreferencedButYoung()).isEqualTo(1);
    assertThat(store.head(inFlight)).isPresent();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void collectingWithNoManifestsKeepsYoungUploadsAndDropsOldOrphans(Backend backend) throws Exception {
    open(backend);
    store.put(TierLayout.objectKey("000001.sst", 1, "00000001"), new byte[1]);
    store.put(TierLayout.objectKey("CURRENT", 1, "00000002"), new byte[1]);

    assertThat(new GarbageCollector(store, Duration.ofHours(1), Clock.systemUTC()).collect().deleted()).isZero();
    assertThat(new GarbageCollector(store, Duration.ZERO, LATER).collect().deleted()).isEqualTo(2);
    assertThat(dataObjects()).isEmpty();
  }
}
