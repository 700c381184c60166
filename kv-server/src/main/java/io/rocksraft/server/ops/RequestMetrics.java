package io.rocksraft.server.ops;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Rate, latency and errors of every client operation, whichever API it came through: a
 * Timer {@code rocksraft.requests.OP} and a Meter {@code rocksraft.request_errors.OP}.
 */
public final class RequestMetrics {
  public static final String REQUESTS = "rocksraft.requests";
  public static final String ERRORS = "rocksraft.request_errors";

  /** The client operations, by their name in metrics. */
  public enum Op {
    GET, RANGE, PUT, DELETE, DELETE_RANGE, TXN;

    public String metricName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Op, Timer> timers = new EnumMap<>(Op.class);
  private final Map<Op, Meter> errors = new EnumMap<>(Op.class);

  public RequestMetrics(MetricRegistry registry) {
    // Registered up front, so that every operation shows (at zero) before its first request.
    for (Op op : Op.values()) {
      timers.put(op, registry.timer(MetricRegistry.name(REQUESTS, op.metricName())));
      errors.put(op, registry.meter(MetricRegistry.name(ERRORS, op.metricName())));
    }
  }

  /**
   * Times {@code call} until its future completes; a failure, thrown at once (bad input) or
   * completed later, also marks the operation's error meter.
   */
  public <T> CompletableFuture<T> time(Op op, Supplier<CompletableFuture<T>> call) {
    Timer.Context timing = timers.get(op).time();
    CompletableFuture<T> result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      timing.stop();
      errors.get(op).mark();
      throw e;
    }
    return result.whenComplete((value, error) -> {
      timing.stop();
      if (error != null) {
        errors.get(op).mark();
      }
    });
  }
}
