package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.tier.Manifest.FileEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's JSON and the names of things in the bucket. */
class ManifestTest {
  @TempDir Path dir;

  private static Manifest sample() {
    return new Manifest(Manifest.FORMAT, "prod", 7, 4242, 99_000, Instant.parse("2026-01-02T03:04:05.678Z"),
        List.of(FileEntry.of("000012.sst", 1234, "0a1b2c3d"), FileEntry.of("CURRENT", 16, "deadbeef"),
            FileEntry.of("MANIFEST-000005", 777, "00000001")));
  }

  @Test
  void jsonKeepsEveryField() throws Exception {
    Manifest m = sample();
    String json = new String(m.toJson(), StandardCharsets.UTF_8);

    assertThat(json).contains("\"clusterId\" : \"prod\"", "\"createdAt\" : \"2026-01-02T03:04:05.678Z\"",
        "\"crc32c\" : \"0a1b2c3d\"", "\"key\" : \"sst/000012.sst-1234-0a1b2c3d\"",
        "\"key\" : \"files/CURRENT-16-deadbeef\"");
    assertThat(Manifest.fromJson(m.toJson(), "test")).isEqualTo(m);
    assertThat(m.key()).isEqualTo("manifests/00000000000000000007_00000000000000004242.json");
    assertThat(m.totalBytes()).isEqualTo(1234 + 16 + 777);
  }

  @Test
  void manifestKeysSortByTermThenIndex() {
    List<SnapshotPosition> positions = List.of(new SnapshotPosition(2, 900), new SnapshotPosition(10, 1),
        new SnapshotPosition(2, 1000), new SnapshotPosition(0, 0), new SnapshotPosition(Long.MAX_VALUE, 3));
    List<String> keys = new ArrayList<>(positions.stream().map(TierLayout::manifestKey).toList());
    keys.sort(null);
    List<SnapshotPosition> sorted = new ArrayList<>(positions);
    sorted.sort(null);

    assertThat(keys).isEqualTo(sorted.stream().map(TierLayout::manifestKey).toList());
    assertThat(keys.stream().map(k -> TierLayout.parseManifestKey(k).orElseThrow()).toList()).isEqualTo(sorted);
    assertThat(TierLayout.parseManifestKey("manifests/7_42.json")).isEmpty();
    assertThat(TierLayout.parseManifestKey("sst/x")).isEmpty();
  }

  @Test
  void aManifestNamingAFileOutsideItsDirectoryIsRefused() {
    String json = new String(sample().toJson(), StandardCharsets.UTF_8).replace("\"CURRENT\"", "\"../CURRENT\"");
    assertThatThrownBy(() -> Manifest.fromJson(json.getBytes(StandardCharsets.UTF_8), "bucket/m.json"))
        .isInstanceOf(TierException.class).hasMessageContaining("bucket/m.json").hasMessageContaining("../CURRENT");
  }

  @Test
  void aManifestOfAnotherFormatOrWithUnknownFieldsIsRefused() {
    String json = new String(sample().toJson(), StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Manifest.fromJson(json.replace("\"format\" : 1", "\"format\" : 2").getBytes(), "m"))
        .isInstanceOf(TierException.class).hasMessageContaining("format 2");
    assertThatThrownBy(() -> Manifest.fromJson(json.replace("\"term\"", "\"surprise\" : 1, \"term\"").getBytes(),
        "m")).isInstanceOf(TierException.class);
    assertThatThrownBy(() -> Manifest.fromJson("{".getBytes(), "m")).isInstanceOf(TierException.class);
  }

  @Test
  void theCatalogRefusesAManifestStoredUnderAnotherPositionsName() throws Exception {
    try (ObjectStore store = new DirectoryObjectStore(dir, new TierMetrics(new MetricRegistry()), new TokenBucket(0))) {
      String wrongKey = TierLayout.manifestKey(new SnapshotPosition(9, 9));
      store.put(wrongKey, sample().toJson());
      assertThatThrownBy(() -> new ManifestCatalog(store).readLatest()).isInstanceOf(TierException.class)
          .hasMessageContaining("not what its name says");
    }
  }

  @Test
  void contentAddressedKeysTellApartFilesOfTheSameName() {
    assertThat(TierLayout.objectKey("000012.sst", 10, "00000001"))
        .isNotEqualTo(TierLayout.objectKey("000012.sst", 10, "00000002"))
        .isNotEqualTo(TierLayout.objectKey("000012.sst", 11, "00000001"));
    assertThatThrownBy(() -> TierLayout.objectKey("a/b.sst", 1, "00000000"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
