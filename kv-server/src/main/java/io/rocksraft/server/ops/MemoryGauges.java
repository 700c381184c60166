package io.rocksraft.server.ops;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.raftlog.RocksMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Where a node's memory goes, beside Dropwizard's {@code jvm.memory.*} (heap, non-heap) and
 * {@code jvm.buffers.*} (direct buffers): the process' resident set as the kernel counts it,
 * and the bound on RocksDB's shared cache (blocks and memtables; its usage is
 * {@code rocksraft.rocksdb.block_cache_usage_bytes}), which lives outside the Java heap. The
 * resident set minus heap, direct buffers and cache is what the allocator and thread stacks
 * hold: the part that {@code MALLOC_ARENA_MAX} keeps in check.
 */
public final class MemoryGauges {
  public static final String RSS = "rocksraft.memory.rss_bytes";
  public static final String CACHE_CAPACITY = "rocksraft.rocksdb.cache.capacity_bytes";
  public static final String CACHE_PINNED = "rocksraft.rocksdb.cache.pinned_bytes";
  public static final String WRITE_BUFFER_LIMIT = "rocksraft.rocksdb.write_buffer.limit_bytes";

  private MemoryGauges() {
  }

  public static void register(MetricRegistry registry, RocksMemory memory) {
    long self = ProcessHandle.current().pid();
    registry.registerGauge(RSS, () -> residentBytes(self));
    registry.registerGauge(CACHE_CAPACITY, memory::capacityBytes);
    registry.registerGauge(WRITE_BUFFER_LIMIT, memory::writeBufferBytes);
    registry.registerGauge(CACHE_PINNED, () -> orNull(memory::pinnedBytes));
  }

  /**
   * VmRSS of a process, or null once it is gone or where there is no {@code /proc} (the
   * exporters leave null out).
   */
  public static Long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          // "VmRSS:    123456 kB"
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Long orNull(Supplier<OptionalLong> value) {
    OptionalLong v = value.get();
    return v.isPresent() ? v.getAsLong() : null;
  }
}
