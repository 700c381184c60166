package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import io.rocksraft.server.tier.TierMetrics.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What only the S3 backend does: multipart uploads, and riding out an outage of the server. */
@ExtendWith(S3ProxyServer.Shared.class)
class S3BehaviourTest {
  private static S3ProxyServer s3;
  @TempDir Path dir;
  private final TierMetrics metrics = new TierMetrics(new MetricRegistry());

  @BeforeAll
  static void s3(S3ProxyServer shared) {
    s3 = shared;
  }

  private static TierConfig tiny(long threshold, int maxAttempts) {
    return new TierConfig(null, null, null, null, threshold, TierConfig.MIN_PART_BYTES, null, null, maxAttempts,
        null, null);
  }

  private Path randomFile(String name, int size) throws Exception {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    return Files.write(dir.resolve(name), content);
  }

  @Test
  void filesAboveTheThresholdGoUpInPartsAndComeBackWhole() throws Exception {
    try (ObjectStore store = Backend.S3.open(dir, s3, metrics, tiny(1024, 3))) {
      Path big = randomFile("big", 11 << 20);
      Path small = randomFile("small", 1000);

      store.put("sst/big", big);
      assertThat(metrics.multipartUploads()).isEqualTo(1);
      assertThat(metrics.multipartParts()).as("5 MiB, 5 MiB and 1 MiB").isEqualTo(3);
      assertThat(metrics.requests(Request.PUT)).as("create, three parts, complete").isEqualTo(5);
      store.put("sst/small", small);
      assertThat(metrics.multipartUploads()).as("at the threshold: one plain PUT").isEqualTo(1);

      store.get("sst/big", dir.resolve("big.back"));
      assertThat(Files.mismatch(big, dir.resolve("big.back"))).isEqualTo(-1);
      assertThat(store.head("sst/big")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(11 << 20));
    }
  }

  @Test
  void aCheckpointUploadedInPartsRestores() throws Exception {
    try (ObjectStore store = Backend.S3.open(dir, s3, metrics, tiny(1024, 3));
         TestDb db = new TestDb(dir.resolve("db"))) {
      Path snap = db.write(0, 2000).checkpoint(dir.resolve("snap"));
      Manifest m = new TierUploader(store, metrics, Duration.ofHours(6), Clock.systemUTC())
          .upload(snap, "c", 1, 1, 1).manifest();

      assertThat(metrics.multipartUploads()).as("every file above 1 KiB")
          .isEqualTo(m.files().stream().filter(f -> f.size() > 1024).count()).isPositive();
      new TierDownloader(store).download(m, dir.resolve("restored"), List.of());
      assertThat(TestDb.contents(dir.resolve("restored"))).hasSize(2000);
    }
  }

  @Test
  void aStoppedServerFailsOperationsAfterRetriesAndTheyWorkOnceItIsBack() throws Exception {
    try (S3ProxyServer server = s3.secondEndpoint();
         ObjectStore store = Backend.S3.open(dir, server, metrics, tiny(64 << 20, 2))) {
      store.put("files/before", "before".getBytes());
      Path file = randomFile("f", 4096);
      server.stop();
      long putsBefore = metrics.requests(Request.PUT);

      assertThatThrownBy(() -> store.put("files/during", file))
          .isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("S3 PUT")
          .hasMessageContaining("files/during")
          .hasMessageContaining("failed after 2 attempt(s)");
      assertThat(metrics.requests(Request.PUT) - putsBefore).as("3 SDK attempts in each of 2 of ours")
          .isEqualTo(6);
      assertThat(metrics.retries()).isEqualTo(1);
      assertThatThrownBy(() -> store.getBytes("files/before")).isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("failed after 2 attempt(s)");
      assertThatThrownBy(() -> store.list("files/")).isInstanceOf(ObjectStoreException.class);

      server.restart();

      store.put("files/during", file);
      assertThat(store.getBytes("files/before")).isEqualTo("before".getBytes());
      assertThat(store.list("files/")).extracting(ObjectInfo::key).containsExactly("files/before", "files/during");
    }
  }

  @Test
  void anUploadDuringAnOutageFailsClearlyAndSucceedsAfterIt() throws Exception {
    try (S3ProxyServer server = s3.secondEndpoint();
         ObjectStore store = Backend.S3.open(dir, server, metrics, tiny(64 << 20, 2));
         TestDb db = new TestDb(dir.resolve("db"))) {
      TierUploader uploader = new TierUploader(store, metrics, Duration.ofHours(6), Clock.systemUTC());
      Path snap = db.write(0, 100).checkpoint(dir.resolve("snap"));
      server.stop();

      assertThatThrownBy(() -> uploader.upload(snap, "c", 1, 1, 1)).isInstanceOf(ObjectStoreException.class)
          .hasMessageContaining("failed after 2 attempt(s)");

      server.restart();
      assertThat(uploader.upload(snap, "c", 1, 1, 1).manifestWritten()).isTrue();
    }
  }
}
