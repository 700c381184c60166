package io.rocksraft.server.tier;

import io.rocksraft.server.config.TierConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/** The two backends under test, each opened fresh for a test with its own metrics. */
enum Backend {
  DIRECTORY, S3;

  /** Small LIST pages, so that every S3 test also pages through listings. */
  static final int LIST_PAGE = 3;

  /**
   * A store of this backend: a directory under {@code dir}, or the S3Proxy bucket under a prefix
   * of its own (so tests share one server without seeing each other's objects).
   */
  ObjectStore open(Path dir, S3ProxyServer s3, TierMetrics metrics, TierConfig config) throws Exception {
    return switch (this) {
      case DIRECTORY -> new DirectoryObjectStore(dir.resolve("bucket"), metrics,
          new TokenBucket(config.uploadBytesPerSecond()));
      case S3 -> new S3ObjectStore(s3Config(s3, config, "t-" + UUID.randomUUID()), metrics,
          new Retry.Policy(config.maxAttempts(), Duration.ofMillis(20), Duration.ofMillis(200)), LIST_PAGE);
    };
  }

  static TierConfig s3Config(S3ProxyServer s3, TierConfig base, String prefix) {
    return new TierConfig(true, TierConfig.S3_BACKEND, null,
        new TierConfig.S3(s3.endpoint(), "us-east-1", S3ProxyServer.BUCKET, prefix, true,
            S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY),
        base.multipartThresholdBytes(), base.partSizeBytes(), base.uploadBytesPerSecond(), base.retainManifests(),
        base.maxAttempts(), base.gcGraceMs(), base.bucketWaitMs()).validate();
  }
}
