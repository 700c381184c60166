package io.rocksraft.server.tier;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a whole object operation (an upload with all its parts, a download to its last byte)
 * with exponential backoff and jitter, on failures the {@code retryable} test accepts. What a
 * single HTTP request can retry by itself, the SDK already has.
 */
final class Retry {
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);

  /** Attempts per operation; the wait before attempt n+1 is random in [b/2, b], b = min(first * 2^(n-1), max). */
  record Policy(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {
    static Policy of(int maxAttempts) {
      return new Policy(maxAttempts, Duration.ofMillis(500), Duration.ofSeconds(10));
    }
  }

  interface Call<T> {
    T run() throws IOException;
  }

  private final Policy policy;
  private final TierMetrics metrics;
  private final Predicate<IOException> retryable;

  Retry(Policy policy, TierMetrics metrics, Predicate<IOException> retryable) {
    this.policy = policy;
    this.metrics = metrics;
    this.retryable = retryable;
  }

  /**
   * Runs {@code call} until it succeeds, fails for good, or has failed {@code maxAttempts} times;
   * then throws an {@link ObjectStoreException} naming {@code what} and the count.
   */
  <T> T call(String what, Call<T> call) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.run();
      } catch (IOException e) {
        if (!retryable.test(e)) {
          throw e;
        }
        if (attempt >= policy.maxAttempts()) {
          throw new ObjectStoreException(what + " failed after " + attempt + " attempt(s): " + e.getMessage(), e);
        }
        long bound = Math.min(policy.maxBackoff().toMillis(),
            policy.firstBackoff().toMillis() << Math.min(attempt - 1, 20));
        long wait = bound / 2 + ThreadLocalRandom.current().nextLong(bound / 2 + 1);
        LOG.debug("{} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, policy.maxAttempts(),
            wait, e.getMessage());
        metrics.retry();
        try {
          Thread.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException(what + " interrupted while waiting to retry");
        }
      }
    }
  }
}
