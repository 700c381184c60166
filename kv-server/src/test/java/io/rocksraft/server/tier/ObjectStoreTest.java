package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The object-store contract, on the directory backend and on a real S3 server alike. */
@ExtendWith(S3ProxyServer.Shared.class)
class ObjectStoreTest {
  private static S3ProxyServer s3;
  @TempDir Path dir;
  private final MetricRegistry registry = new MetricRegistry();
  private final TierMetrics metrics = new TierMetrics(registry);
  private ObjectStore store;

  @BeforeAll
  static void s3(S3ProxyServer shared) {
    s3 = shared;
  }

  @AfterEach
  void closeStore() {
    if (store != null) {
      store.close();
    }
  }

  private ObjectStore open(Backend backend) throws Exception {
    store = backend.open(dir, s3, metrics, TierConfig.DEFAULTS);
    return store;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void putThenGetReturnsTheSameBytes(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    Path file = dir.resolve("source.bin");
    byte[] content = new byte[300_000];
    new java.util.Random(7).nextBytes(content);
    Files.write(file, content);

    store.put("sst/a.sst", file);
    store.put("files/CURRENT", utf8("MANIFEST-000005\n"));

    Path copy = dir.resolve("copy.bin");
    store.get("sst/a.sst", copy);
    assertThat(Files.readAllBytes(copy)).isEqualTo(content);
    assertThat(store.getBytes("files/CURRENT")).isEqualTo(utf8("MANIFEST-000005\n"));
    assertThat(metrics.requests(TierMetrics.Request.PUT)).isEqualTo(2);
    assertThat(metrics.requests(TierMetrics.Request.GET)).isEqualTo(2);
    assertThat(metrics.uploadedBytes()).isEqualTo(content.length + 16);
    assertThat(metrics.downloadedObjects()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void putReplacesAnExistingObject(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    store.put("files/x", utf8("one"));
    store.put("files/x", utf8("two"));
    assertThat(store.getBytes("files/x")).isEqualTo(utf8("two"));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void listReturnsEveryObjectUnderThePrefixInKeyOrderAcrossPages(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    for (String key : List.of("sst/3.sst", "sst/1.sst", "sst/2.sst", "sst/5.sst", "sst/4.sst", "sstx/other",
        "manifests/m.json", "files/deep/er/f")) {
      store.put(key, utf8(key));
    }
    assertThat(store.list("sst/")).extracting(ObjectInfo::key)
        .containsExactly("sst/1.sst", "sst/2.sst", "sst/3.sst", "sst/4.sst", "sst/5.sst");
    assertThat(store.list("sst")).hasSize(6);
    assertThat(store.list("files/")).singleElement().satisfies(o -> {
      assertThat(o.key()).isEqualTo("files/deep/er/f");
      assertThat(o.size()).isEqualTo(15);
      assertThat(o.lastModified()).isNotNull();
    });
    assertThat(store.list("nothing/")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void headGivesSizeAndNothingForAnAbsentObject(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    store.put("files/x", utf8("12345"));
    assertThat(store.head("files/x")).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(5));
    assertThat(store.head("files/y")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void getOfAnAbsentObjectIsNoSuchObject(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    assertThatThrownBy(() -> store.getBytes("files/none")).isInstanceOf(NoSuchObjectException.class)
        .hasMessageContaining("files/none");
    assertThatThrownBy(() -> store.get("files/none", dir.resolve("out"))).isInstanceOf(NoSuchObjectException.class);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void deleteRemovesAnObjectAndDeletingAnAbsentOneIsFine(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    store.put("files/x", utf8("x"));
    store.delete("files/x");
    store.delete("files/x");
    assertThat(store.head("files/x")).isEmpty();
    assertThat(store.list("files/")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void conditionalCreateLosesForTheSecondWriter(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    assertThat(store.putIfAbsent("manifests/m.json", utf8("first"))).isTrue();
    assertThat(store.putIfAbsent("manifests/m.json", utf8("second"))).isFalse();
    assertThat(store.getBytes("manifests/m.json")).isEqualTo(utf8("first"));
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void keysThatCouldEscapeAreRefused(Backend backend) throws Exception {
    ObjectStore store = open(backend);
    for (String bad : List.of("/abs", "a/../b", "a//b", "../x", "a/", "")) {
      assertThatThrownBy(() -> store.put(bad, utf8("x"))).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void concurrentCreatorsInADirectoryStoreHaveExactlyOneWinner() throws Exception {
    ObjectStore store = open(Backend.DIRECTORY);
    assertThat(store.atomicCreate()).isTrue();
    int writers = 8;
    for (int round = 0; round < 20; round++) {
      String key = "manifests/race-" + round + ".json";
      CyclicBarrier start = new CyclicBarrier(writers);
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          byte[] body = utf8("writer " + w);
          Callable<Boolean> create = () -> {
            start.await();
            return store.putIfAbsent(key, body);
          };
          results.add(pool.submit(create));
        }
        int winners = 0;
        for (Future<Boolean> r : results) {
          winners += r.get() ? 1 : 0;
        }
        assertThat(winners).as("round " + round).isEqualTo(1);
        assertThat(new String(store.getBytes(key), StandardCharsets.UTF_8)).startsWith("writer ");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * S3Proxy 2.6.0 reads If-None-Match only on GET and HEAD: a PUT with {@code If-None-Match: *}
   * over an existing object succeeds. The store finds that out and creates with HEAD then PUT.
   */
  @Test
  void s3Proxy260IgnoresIfNoneMatchOnPutSoTheStoreFallsBackToHeadThenPut() throws Exception {
    try (S3Client raw = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(URI.create(s3.endpoint()))
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
        .build()) {
      String key = "raw/if-none-match";
      raw.putObject(b -> b.bucket(S3ProxyServer.BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("one"));
      raw.putObject(b -> b.bucket(S3ProxyServer.BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("two"));
      assertThat(raw.getObjectAsBytes(b -> b.bucket(S3ProxyServer.BUCKET).key(key)).asUtf8String())
          .as("the second conditional PUT replaced the object").isEqualTo("two");
    }
    ObjectStore store = open(Backend.S3);
    assertThat(store.atomicCreate()).isFalse();
    assertThat(store.list(S3ObjectStore.PROBE_PREFIX)).as("the probe cleans up after itself").isEmpty();
  }
}
