package io.rocksraft.bench.run;

import io.rocksraft.bench.target.Target;
import io.rocksraft.bench.workload.KeyChooser;
import io.rocksraft.bench.workload.KeySpace;
import io.rocksraft.bench.workload.OpKind;
import io.rocksraft.bench.workload.WorkloadSpec;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one target with one workload: the load phase if the workload reads, then warm-up and
 * measured seconds. One issuing thread keeps at most {@code clients} operations in flight (a
 * closed loop: a client's next operation starts when its last one ends); with a target rate the
 * operations are also spaced out (an open loop), and latency is then counted from when an
 * operation was due rather than when it was sent, so a stalled store cannot hide its queue
 * (coordinated omission). A failed or timed-out operation counts as an error, not as a latency.
 */
public final class LoadGenerator {
  private static final long SEED = 42;

  private final WorkloadSpec spec;
  private final PrintStream progress;

  /** @param progress where the line per second goes (stderr in the command) */
  public LoadGenerator(WorkloadSpec spec, PrintStream progress) {
    this.spec = spec;
    this.progress = progress;
  }

  public RunResult run(Target target) throws InterruptedException {
    byte[] value = new byte[spec.valueSize()];
    new SplittableRandom(SEED).nextBytes(value);
    progress.println("== " + target.name() + ": " + spec.describe());
    LoadResult load = spec.workload().needsLoad() ? new Loader(target, spec, value, progress).load() : LoadResult.NONE;

    Meter meter = new Meter();
    long start = System.nanoTime();
    Timeline timeline = new Timeline((int) spec.warmup().toSeconds(), (int) spec.duration().toSeconds(), start);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-ticker");
      t.setDaemon(true);
      return t;
    });
    CompletableFuture<Void> done = new CompletableFuture<>();
    ticker.scheduleAtFixedRate(() -> {
      if (done.isDone()) {
        return; // draining the last operations: they belong to no second
      }
      try {
        Second s = timeline.add(meter.interval(), System.nanoTime());
        progress.println(timeline.progress(s));
        if (timeline.complete()) {
          done.complete(null);
        }
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    }, 1, 1, TimeUnit.SECONDS);
    try {
      issue(target, value, meter, done, start);
      done.join();
    } finally {
      ticker.shutdownNow();
    }
    return new RunResult(target.name(), spec.toMap(), load, timeline.summary(), timeline.byKind(), timeline.seconds(),
        meter.errorSamples(), List.of());
  }

  /** Sends operations until {@code done}, then waits for those still in flight (they are not counted). */
  private void issue(Target target, byte[] value, Meter meter, CompletableFuture<Void> done, long start)
      throws InterruptedException {
    SplittableRandom random = new SplittableRandom(SEED + 1);
    KeySpace keys = spec.keySpace();
    KeyChooser chooser = spec.distribution().chooser(keys.keys(), SEED + 2);
    Semaphore permits = new Semaphore(spec.clients());
    long intervalNanos = spec.rate().isPresent() ? (long) (1e9 / spec.rate().getAsDouble()) : 0;
    long sent = 0;
    while (!done.isDone()) {
      long due = intervalNanos > 0 ? start + sent * intervalNanos : 0;
      if (due > 0) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(100)));
          continue;
        }
      }
      if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        continue;
      }
      OpKind kind = spec.workload().next(random);
      long id = chooser.next();
      long began = due > 0 ? due : System.nanoTime();
      CompletableFuture<?> op;
      try {
        op = send(target, kind, id, value);
      } catch (RuntimeException e) {
        op = CompletableFuture.failedFuture(e);
      }
      op.orTimeout(spec.timeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, error) -> {
        if (error == null) {
          meter.success(kind, System.nanoTime() - began);
        } else {
          meter.failure(error);
        }
        permits.release();
      });
      sent++;
    }
    if (!permits.tryAcquire(spec.clients(), spec.timeout().toMillis() + 5000, TimeUnit.MILLISECONDS)) {
      progress.println("warning: operations still in flight after the timeout; going on");
    }
  }

  private CompletableFuture<?> send(Target target, OpKind kind, long id, byte[] value) {
    KeySpace keys = spec.keySpace();
    return switch (kind) {
      case READ -> target.get(keys.key(id));
      case UPDATE -> target.put(keys.key(id), value);
      case SCAN -> {
        long first = Math.min(id, Math.max(0, keys.keys() - spec.scanLength()));
        long last = Math.min(keys.keys(), first + spec.scanLength()) - 1;
        // Just after the last key: the range is [first, last] whatever the key count.
        byte[] end = Arrays.copyOf(keys.key(last), keys.keySize() + 1);
        yield target.scan(keys.key(first), end, spec.scanLength());
      }
    };
  }
}
