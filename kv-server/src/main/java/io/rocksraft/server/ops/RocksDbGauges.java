package io.rocksraft.server.ops;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.server.state.StateStore;
import java.util.Map;
import org.rocksdb.RocksDBException;

/**
 * RocksDB statistics of the node's DB as Gauges, read at each scrape (each is a cheap
 * in-memory read): {@code rocksraft.rocksdb.STAT} for the whole DB and
 * {@code rocksraft.rocksdb.CF.STAT} per column family.
 */
public final class RocksDbGauges {
  public static final String PREFIX = "rocksraft.rocksdb";

  /** Per column family: our name, RocksDB's property. */
  public static final Map<String, String> PER_COLUMN_FAMILY = Map.of(
      "memtable_bytes", "rocksdb.cur-size-all-mem-tables",
      "sst_bytes", "rocksdb.total-sst-files-size",
      "live_sst_bytes", "rocksdb.live-sst-files-size",
      "pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes",
      "estimate_num_keys", "rocksdb.estimate-num-keys");

  /** For the whole DB: our name, RocksDB's property. */
  public static final Map<String, String> DB_WIDE = Map.of(
      "running_compactions", "rocksdb.num-running-compactions",
      "running_flushes", "rocksdb.num-running-flushes",
      "background_errors", "rocksdb.background-errors",
      "block_cache_usage_bytes", "rocksdb.block-cache-usage");

  /** Per column family: the number of live SST files. */
  public static final String SST_FILES = "sst_files";

  private interface Read {
    long value() throws RocksDBException;
  }

  private RocksDbGauges() {
  }

  public static void register(MetricRegistry registry, StateStore store) {
    DB_WIDE.forEach((name, property) ->
        registry.registerGauge(MetricRegistry.name(PREFIX, name), () -> read(() -> store.property(null, property))));
    store.columnFamilies().forEach((cf, handle) -> {
      PER_COLUMN_FAMILY.forEach((name, property) -> registry.registerGauge(MetricRegistry.name(PREFIX, cf, name),
          () -> read(() -> store.property(handle, property))));
      registry.registerGauge(MetricRegistry.name(PREFIX, cf, SST_FILES), () -> read(() -> store.sstFiles(handle)));
    });
  }

  /** The value, or null (which the exporters leave out) when RocksDB does not answer, e.g. once closed. */
  private static Long read(Read read) {
    try {
      return read.value();
    } catch (RocksDBException | IllegalStateException e) {
      return null;
    }
  }
}
