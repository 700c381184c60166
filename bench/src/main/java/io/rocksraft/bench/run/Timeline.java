package io.rocksraft.bench.run;

import io.rocksraft.bench.workload.OpKind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The seconds of a run, warm-up first, and the measured phase's totals. Fed once a second by the
 * ticker thread only.
 */
final class Timeline {
  private final int warmupSeconds;
  private final int measuredSeconds;
  private final List<Second> seconds = new ArrayList<>();
  private final Map<OpKind, Histogram> measured = new EnumMap<>(OpKind.class);
  private final Histogram phaseSoFar = new Histogram(3);
  private long measuredErrors;
  private long phaseErrors;
  private long measuredStartNanos;
  private long measuredEndNanos;

  Timeline(int warmupSeconds, int measuredSeconds, long startNanos) {
    this.warmupSeconds = warmupSeconds;
    this.measuredSeconds = measuredSeconds;
    this.measuredStartNanos = startNanos;
    for (OpKind kind : OpKind.values()) {
      measured.put(kind, new Histogram(3));
    }
  }

  /** Adds the second that ended at {@code nowNanos}; returns it. */
  Second add(Meter.Interval interval, long nowNanos) {
    int number = seconds.size() + 1;
    Phase phase = number <= warmupSeconds ? Phase.WARMUP : Phase.MEASURED;
    Histogram all = interval.all();
    if (phase == Phase.MEASURED) {
      interval.latencies().forEach((kind, h) -> measured.get(kind).add(h));
      measuredErrors += interval.errors();
      measuredEndNanos = nowNanos;
    } else {
      measuredStartNanos = nowNanos;
    }
    if (number == warmupSeconds + 1) {
      // The progress line's "so far" restarts with the measured phase.
      phaseSoFar.reset();
      phaseErrors = 0;
    }
    phaseSoFar.add(all);
    phaseErrors += interval.errors();
    Second s = new Second(number, phase, all.getTotalCount(), interval.errors(), Stats.ms(all.getValueAtPercentile(50)),
        Stats.ms(all.getValueAtPercentile(99)), Stats.ms(all.getMaxValue()));
    seconds.add(s);
    return s;
  }

  boolean complete() {
    return seconds.size() >= warmupSeconds + measuredSeconds;
  }

  /** One line for stderr: this second's rate, the phase's p99 so far, its errors. */
  String progress(Second s) {
    return String.format("[%s %3d s] %8d ops/s  p99 so far %8.2f ms  errors %d", s.phase().label(), s.second(),
        s.ops(), Stats.ms(phaseSoFar.getValueAtPercentile(99)), phaseErrors);
  }

  List<Second> seconds() {
    return List.copyOf(seconds);
  }

  /** The measured phase's elapsed time: from the last warm-up tick (or the start) to the last tick. */
  private double measuredElapsedSeconds() {
    return Math.max(1e-9, (measuredEndNanos - measuredStartNanos) / 1e9);
  }

  Stats summary() {
    Histogram all = new Histogram(3);
    measured.values().forEach(all::add);
    return Stats.of(all, measuredErrors, measuredElapsedSeconds());
  }

  /** Per kind that occurred; errors are not told apart by kind. */
  Map<String, Stats> byKind() {
    Map<String, Stats> out = new LinkedHashMap<>();
    measured.forEach((kind, h) -> {
      if (h.getTotalCount() > 0) {
        out.put(kind.label(), Stats.of(h, 0, measuredElapsedSeconds()));
      }
    });
    return out;
  }
}
