package io.rocksraft.bench.workload;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Everything that defines a run, the same for every target it is run against.
 *
 * @param clients   requests in flight at most (closed loop: each starts its next as its last ends)
 * @param rate      total operations per second to aim at (open loop), or empty for as fast as possible
 * @param scanLength keys per scan
 * @param timeout   an operation not answered by then counts as an error
 */
public record WorkloadSpec(Workload workload, KeySpace keySpace, int valueSize, Distribution distribution,
                           int clients, OptionalDouble rate, int scanLength, Duration warmup, Duration duration,
                           Duration timeout) {
  public WorkloadSpec {
    require(valueSize >= 1, "--value-size must be at least 1");
    require(clients >= 1, "--clients must be at least 1");
    require(rate.isEmpty() || rate.getAsDouble() > 0, "--rate must be positive");
    require(scanLength >= 1, "--scan-length must be at least 1");
    require(!warmup.isNegative(), "--warmup must not be negative");
    require(duration.toSeconds() >= 1, "--duration must be at least 1 second");
    require(timeout.toMillis() >= 1, "--timeout must be positive");
    require(distribution != Distribution.ZIPFIAN || keySpace.keys() <= Integer.MAX_VALUE,
        "--distribution zipfian supports at most " + Integer.MAX_VALUE + " keys");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The options as the JSON report names them. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workload", workload.label());
    m.put("clients", clients);
    m.put("rate", rate.isPresent() ? rate.getAsDouble() : null);
    m.put("keys", keySpace.keys());
    m.put("keySize", keySpace.keySize());
    m.put("valueSize", valueSize);
    m.put("distribution", distribution.label());
    m.put("scanLength", scanLength);
    m.put("warmupSeconds", warmup.toSeconds());
    m.put("durationSeconds", duration.toSeconds());
    m.put("timeoutMillis", timeout.toMillis());
    return m;
  }

  /** One line for humans: what was run. */
  public String describe() {
    return String.format("workload %s, %d clients%s, %d keys (%d B keys, %d B values, %s), %d s warm-up, %d s measured",
        workload.label(), clients, rate.isPresent() ? String.format(", target %.0f ops/s", rate.getAsDouble()) : "",
        keySpace.keys(), keySpace.keySize(), valueSize, distribution.label(), warmup.toSeconds(), duration.toSeconds());
  }
}
