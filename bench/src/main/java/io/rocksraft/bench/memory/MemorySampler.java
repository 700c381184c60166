package io.rocksraft.bench.memory;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.rocksraft.bench.cluster.NodeProcess;
import io.rocksraft.server.ops.MemoryGauges;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the memory of a started cluster's processes while a run goes on and keeps each figure's
 * peak: the resident set from {@code /proc} once a second, and for rocksraft nodes the heap, direct
 * buffers, RocksDB cache and memtables from their metrics every {@link #METRICS_EVERY} seconds. A
 * node's metrics answer (some 20 KiB of JSON, every histogram's snapshot) asked for every second
 * cost the nodes and the load generator about 4 % of a core, which etcd, sampled from {@code /proc}
 * only, did not pay.
 */
public final class MemorySampler implements AutoCloseable {
  private static final Duration PERIOD = Duration.ofSeconds(1);
  private static final Duration METRICS_TIMEOUT = Duration.ofSeconds(2);
  private static final int METRICS_EVERY = 5;

  private final List<NodeProcess> processes;
  private final List<Peak> peaks = new ArrayList<>();
  /** Rounds sampled so far; metrics are read in every {@link #METRICS_EVERY}th, the first included. */
  private long rounds;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(METRICS_TIMEOUT).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "bench-memory");
    t.setDaemon(true);
    return t;
  });

  /** Peaks of one process; null figures were never read. */
  private static final class Peak {
    long samples;
    long rss;
    Long heapUsed;
    Long heapCommitted;
    Long direct;
    Long cache;
    Long memtables;
  }

  public MemorySampler(List<NodeProcess> processes) {
    this.processes = List.copyOf(processes);
    processes.forEach(p -> peaks.add(new Peak()));
    ticker.scheduleAtFixedRate(this::sample, 0, PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void sample() {
    sample(rounds++ % METRICS_EVERY == 0);
  }

  private void sample(boolean withMetrics) {
    for (int i = 0; i < processes.size(); i++) {
      NodeProcess p = processes.get(i);
      Long rss = MemoryGauges.residentBytes(p.pid());
      if (rss == null) {
        continue;
      }
      JsonObject gauges = withMetrics ? p.metrics().map(this::gauges).orElse(null) : null;
      synchronized (this) {
        Peak peak = peaks.get(i);
        peak.samples++;
        peak.rss = Math.max(peak.rss, rss);
        if (gauges != null) {
          peak.heapUsed = max(peak.heapUsed, gauge(gauges, "jvm.memory.heap.used"));
          peak.heapCommitted = max(peak.heapCommitted, gauge(gauges, "jvm.memory.heap.committed"));
          peak.direct = max(peak.direct, gauge(gauges, "jvm.buffers.direct.used"));
          peak.cache = max(peak.cache, gauge(gauges, "rocksraft.rocksdb.block_cache_usage_bytes"));
          peak.memtables = max(peak.memtables, memtables(gauges));
        }
      }
    }
  }

  /**
   * Stops sampling, samples every process once more (a round can outlast a short run, and the end
   * of the load is worth a sample), and answers each process' peaks; processes that were never
   * seen running are left out.
   */
  public List<NodeMemory> peaks() throws InterruptedException {
    close();
    if (!ticker.awaitTermination(METRICS_TIMEOUT.toMillis() * (processes.size() + 1), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the memory sampler did not stop");
    }
    sample(true);
    return collect();
  }

  private synchronized List<NodeMemory> collect() {
    List<NodeMemory> out = new ArrayList<>();
    for (int i = 0; i < processes.size(); i++) {
      Peak p = peaks.get(i);
      if (p.samples > 0) {
        out.add(new NodeMemory(processes.get(i).name(), p.samples, p.rss, p.heapUsed, p.heapCommitted, p.direct,
            p.cache, p.memtables));
      }
    }
    return out;
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  /** The {@code gauges} object of a Dropwizard metrics answer, or null when the node does not answer. */
  private JsonObject gauges(URI metrics) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(metrics).timeout(METRICS_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return null;
      }
      return JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("gauges");
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static Long gauge(JsonObject gauges, String name) {
    JsonObject g = gauges.getAsJsonObject(name);
    JsonElement v = g == null ? null : g.get("value");
    return v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber() ? null : v.getAsLong();
  }

  /** The sum of every column family's memtables, of both databases. */
  private static Long memtables(JsonObject gauges) {
    Long sum = null;
    for (Map.Entry<String, JsonElement> e : gauges.entrySet()) {
      if (e.getKey().startsWith("rocksraft.rocksdb.") && e.getKey().endsWith(".memtable_bytes")) {
        Long v = gauge(gauges, e.getKey());
        if (v != null) {
          sum = sum == null ? v : sum + v;
        }
      }
    }
    return sum;
  }

  private static Long max(Long a, Long b) {
    return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
  }
}
