package io.rocksraft.bench.run;

import io.rocksraft.bench.target.Target;
import io.rocksraft.bench.workload.KeySpace;
import io.rocksraft.bench.workload.WorkloadSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load phase: writes every key once before a workload that reads, in transactions of many
 * puts so that it takes seconds rather than minutes. A batch that fails is sent again, up to
 * three times; then the run stops, since reads of missing keys would measure something else.
 */
final class Loader {
  /** Both stores take 128 operations per transaction by default, and requests well over 1 MiB. */
  private static final int MAX_BATCH_OPS = 128;
  private static final long MAX_BATCH_BYTES = 1 << 20;
  private static final int MAX_BATCHES_IN_FLIGHT = 16;
  private static final int ATTEMPTS = 3;

  private final Target target;
  private final WorkloadSpec spec;
  private final byte[] value;
  private final PrintStream progress;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Loader(Target target, WorkloadSpec spec, byte[] value, PrintStream progress) {
    this.target = target;
    this.spec = spec;
    this.value = value;
    this.progress = progress;
  }

  LoadResult load() throws InterruptedException {
    KeySpace keys = spec.keySpace();
    int batchSize = (int) Math.max(1, Math.min(MAX_BATCH_OPS, MAX_BATCH_BYTES / (keys.keySize() + value.length)));
    int inFlight = Math.min(MAX_BATCHES_IN_FLIGHT, spec.clients());
    Semaphore permits = new Semaphore(inFlight);
    long start = System.nanoTime();
    long lastReport = start;
    for (long first = 0; first < keys.keys() && failure.get() == null; first += batchSize) {
      while (!permits.tryAcquire(1, TimeUnit.SECONDS)) {
        lastReport = report(start);
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(1)) {
        lastReport = report(start);
      }
      List<Target.Pair> batch = new ArrayList<>(batchSize);
      for (long id = first; id < Math.min(keys.keys(), first + batchSize); id++) {
        batch.add(new Target.Pair(keys.key(id), value));
      }
      send(batch, 1, permits);
    }
    if (!permits.tryAcquire(inFlight, spec.timeout().toMillis() * ATTEMPTS + 5000, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("load phase: batches still unanswered after the timeout");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("load phase failed after " + ATTEMPTS + " attempts of a batch: "
          + failure.get(), failure.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    progress.printf("[load] %d keys written in %.1f s%n", written.get(), seconds);
    return new LoadResult(written.get(), seconds, retries.get());
  }

  private long report(long start) {
    progress.printf("[load %3.0f s] %d/%d keys%n", (System.nanoTime() - start) / 1e9, written.get(),
        spec.keySpace().keys());
    return System.nanoTime();
  }

  private void send(List<Target.Pair> batch, int attempt, Semaphore permits) {
    target.putAll(batch).orTimeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((ok, error) -> {
      if (error == null) {
        written.addAndGet(batch.size());
        permits.release();
      } else if (attempt < ATTEMPTS) {
        retries.incrementAndGet();
        send(batch, attempt + 1, permits);
      } else {
        failure.compareAndSet(null, error);
        permits.release();
      }
    });
  }
}
