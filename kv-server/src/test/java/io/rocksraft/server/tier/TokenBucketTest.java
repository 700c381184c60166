package io.rocksraft.server.tier;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.config.TierConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The upload rate limit. */
@ExtendWith(S3ProxyServer.Shared.class)
class TokenBucketTest {
  private static S3ProxyServer s3;
  @TempDir Path dir;

  @BeforeAll
  static void s3(S3ProxyServer shared) {
    s3 = shared;
  }

  /** A clock that only moves when the bucket sleeps. */
  private static final class FakeClock implements TokenBucket.Clock {
    long now;

    @Override
    public long nanoTime() {
      return now;
    }

    @Override
    public void sleepNanos(long nanos) {
      now += nanos;
    }
  }

  @Test
  void bytesBeyondOneSecondsBurstWaitAtTheConfiguredRate() throws Exception {
    FakeClock clock = new FakeClock();
    TokenBucket bucket = new TokenBucket(1000, clock);

    bucket.acquire(1000);
    assertThat(clock.now).as("a full bucket lets one second's worth go at once").isZero();
    bucket.acquire(2500);
    assertThat(clock.now).isBetween(2_499_000_000L, 2_501_000_000L);
  }

  @Test
  void aThrottledStreamReadsEverythingAtTheRate() throws Exception {
    FakeClock clock = new FakeClock();
    TokenBucket bucket = new TokenBucket(10_000, clock);
    try (InputStream in = bucket.throttle(new ByteArrayInputStream(new byte[50_000]))) {
      assertThat(in.readAllBytes()).hasSize(50_000);
    }
    assertThat(clock.now).isBetween(3_900_000_000L, 4_100_000_000L);
  }

  @Test
  void zeroMeansUnlimited() throws Exception {
    TokenBucket bucket = new TokenBucket(0, new FakeClock());
    InputStream plain = new ByteArrayInputStream(new byte[1]);
    assertThat(bucket.throttle(plain)).isSameAs(plain);
    bucket.acquire(Long.MAX_VALUE);
  }

  @ParameterizedTest
  @EnumSource(Backend.class)
  void uploadsOfAStoreKeepToItsRate(Backend backend) throws Exception {
    TierConfig limited = new TierConfig(null, null, null, null, null, null, 128L << 10, null, null, null, null);
    Path file = Files.write(dir.resolve("f"), new byte[256 << 10]);
    try (ObjectStore store = backend.open(dir, s3, new TierMetrics(new MetricRegistry()), limited)) {
      store.put("files/warm-up", new byte[1]);
      long started = System.nanoTime();
      store.put("files/f", file);
      long millis = (System.nanoTime() - started) / 1_000_000;
      // At most ~2 s: the file is read once (a second read, say to hash the payload first, would double it).
      assertThat(millis).as("256 KiB at 128 KiB/s, one second's burst in hand").isBetween(900L, 1900L);
    }
  }
}
