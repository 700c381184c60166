package io.rocksraft.bench.run;

import org.HdrHistogram.Histogram;

/**
 * The figures of one phase (or one operation kind in it); latencies in milliseconds.
 *
 * @param throughput successful operations per second
 */
public record Stats(long ops, long errors, double throughput, double mean, double p50, double p99, double p999,
                    double max) {
  /** From a histogram of microseconds over {@code seconds}. */
  static Stats of(Histogram micros, long errors, double seconds) {
    long ops = micros.getTotalCount();
    return new Stats(ops, errors, ops / seconds, ms(micros.getMean()), ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)), ms(micros.getMaxValue()));
  }

  static double ms(double micros) {
    return Math.round(micros) / 1000.0;
  }
}
