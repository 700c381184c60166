package io.rocksraft.server.tier;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * Bounds upload bandwidth: {@code bytesPerSecond} tokens a second, at most one second's worth
 * saved up, shared by every upload of a store. Zero means unlimited.
 */
public final class TokenBucket {
  /** Time, for tests that do not want to wait. */
  public interface Clock {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;
  }

  static final Clock SYSTEM = new Clock() {
    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }
  };

  private final long bytesPerSecond;
  private final Clock clock;
  private double tokens;
  private long last;

  public TokenBucket(long bytesPerSecond) {
    this(bytesPerSecond, SYSTEM);
  }

  public TokenBucket(long bytesPerSecond, Clock clock) {
    if (bytesPerSecond < 0) {
      throw new IllegalArgumentException("bytesPerSecond must not be negative");
    }
    this.bytesPerSecond = bytesPerSecond;
    this.clock = clock;
    this.last = clock.nanoTime();
    this.tokens = bytesPerSecond;
  }

  public boolean unlimited() {
    return bytesPerSecond == 0;
  }

  /** Waits until {@code bytes} may go; bytes above one second's worth are taken in turns. */
  public void acquire(long bytes) throws InterruptedIOException {
    if (unlimited()) {
      return;
    }
    long left = bytes;
    while (left > 0) {
      long take = Math.min(left, bytesPerSecond);
      takeOrWait(take);
      left -= take;
    }
  }

  private void takeOrWait(long take) throws InterruptedIOException {
    while (true) {
      long waitNanos;
      synchronized (this) {
        long now = clock.nanoTime();
        tokens = Math.min(bytesPerSecond, tokens + (now - last) * (double) bytesPerSecond / 1e9);
        last = now;
        if (tokens >= take) {
          tokens -= take;
          return;
        }
        waitNanos = (long) Math.ceil((take - tokens) * 1e9 / bytesPerSecond);
      }
      try {
        clock.sleepNanos(waitNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for upload bandwidth");
      }
    }
  }

  /** {@code in}, read no faster than the bucket allows. */
  public InputStream throttle(InputStream in) {
    if (unlimited()) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          acquire(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int off, int len) throws IOException {
        int n = super.read(buffer, off, (int) Math.min(len, Math.max(1, bytesPerSecond / 8)));
        if (n > 0) {
          acquire(n);
        }
        return n;
      }
    };
  }
}
