package io.rocksraft.server.local;

import com.google.protobuf.ByteString;
import io.rocksraft.client.KvClient;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * A minimal closed-loop load: N requests in flight from one client process, put then get,
 * 16-byte keys and 100-byte values. The full benchmark tool comes with the bench module.
 * Usage: LoadProbe ENDPOINTS [inFlight=64] [seconds=20] [keys=100000]
 */
public final class LoadProbe {
  public static void main(String[] args) throws Exception {
    String endpoints = args[0];
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int keys = args.length > 3 ? Integer.parseInt(args[3]) : 100_000;
    try (KvClient kv = KvClient.builder().endpoints(endpoints).timeout(Duration.ofSeconds(30)).build()) {
      run(kv, "put", inFlight, seconds, keys, true);
      run(kv, "get", inFlight, seconds, keys, false);
    }
  }

  private static void run(KvClient kv, String op, int inFlight, int seconds, int keys, boolean write)
      throws InterruptedException {
    byte[] value = new byte[100];
    new Random(1).nextBytes(value);
    ByteString v = ByteString.copyFrom(value);
    Random random = new Random(2);
    ConcurrentHistogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong errors = new AtomicLong();
    long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
    long measuredOps = 0;
    while (System.nanoTime() < end) {
      permits.acquire();
      ByteString key = ByteString.copyFromUtf8(String.format("k%015d", random.nextInt(keys)));
      long start = System.nanoTime();
      boolean measured = start >= warmupEnd;
      if (measured) {
        measuredOps++;
      }
      CompletableFuture<?> f = write ? kv.async().put(key, v) : kv.async().get(key);
      f.whenComplete((r, e) -> {
        if (e != null) {
          errors.incrementAndGet();
        } else if (measured) {
          latency.recordValue(System.nanoTime() - start);
        }
        permits.release();
      });
    }
    permits.acquire(inFlight);
    System.out.printf("%s: %d in flight, %d s: %.0f ops/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms, errors %d%n",
        op, inFlight, seconds, latency.getTotalCount() / (double) seconds,
        latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
        latency.getValueAtPercentile(99.9) / 1e6, latency.getMaxValue() / 1e6, errors.get());
  }
}
