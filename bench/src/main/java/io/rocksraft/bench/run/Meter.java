package io.rocksraft.bench.run;

import io.rocksraft.bench.workload.OpKind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where completing operations report, from any thread. Latencies go to one HdrHistogram
 * {@link Recorder} per kind (in microseconds, 3 significant digits); {@link #interval} hands over
 * what arrived since its last call, which makes the per-second buckets.
 */
final class Meter {
  private static final int MAX_ERROR_SAMPLES = 5;

  private final Map<OpKind, Recorder> recorders = new EnumMap<>(OpKind.class);
  private final Map<OpKind, Histogram> recycled = new EnumMap<>(OpKind.class);
  private final AtomicLong errors = new AtomicLong();
  private final Set<String> errorSamples = ConcurrentHashMap.newKeySet();

  Meter() {
    for (OpKind kind : OpKind.values()) {
      recorders.put(kind, new Recorder(3));
    }
  }

  void success(OpKind kind, long latencyNanos) {
    recorders.get(kind).recordValue(Math.max(1, latencyNanos / 1000));
  }

  void failure(Throwable error) {
    errors.incrementAndGet();
    if (errorSamples.size() < MAX_ERROR_SAMPLES) {
      Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
          ? error.getCause() : error;
      errorSamples.add(cause instanceof java.util.concurrent.TimeoutException
          ? "no answer within --timeout" : cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }
  }

  /** What one interval brought: latencies per kind, and the errors. Called by one thread only. */
  record Interval(Map<OpKind, Histogram> latencies, long errors) {
    Histogram all() {
      Histogram sum = new Histogram(3);
      latencies.values().forEach(sum::add);
      return sum;
    }
  }

  Interval interval() {
    Map<OpKind, Histogram> latencies = new EnumMap<>(OpKind.class);
    for (OpKind kind : OpKind.values()) {
      Histogram h = recorders.get(kind).getIntervalHistogram(recycled.get(kind));
      latencies.put(kind, h.copy());
      recycled.put(kind, h);
    }
    return new Interval(latencies, errors.getAndSet(0));
  }

  List<String> errorSamples() {
    return errorSamples.stream().sorted().limit(MAX_ERROR_SAMPLES).toList();
  }
}
