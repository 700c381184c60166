package io.rocksraft.server.ops;

import com.codahale.metrics.MetricRegistry;
import io.rocksraft.raftlog.RocksDatabase;
import java.util.Map;
import java.util.function.Supplier;
import org.rocksdb.RocksDBException;

/**
 * RocksDB statistics of the node's databases as Gauges, read at each scrape (each is a cheap
 * in-memory read): {@code rocksraft.rocksdb.CF.STAT} per column family of either database,
 * {@code rocksraft.rocksdb.STAT} for the whole state database and
 * {@code rocksraft.rocksdb.raft_log.STAT} for the whole log database.
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
    long value(RocksDatabase db) throws RocksDBException;
  }

  private RocksDbGauges() {
  }

  /**
   * Registers the gauges of a database: its whole-DB statistics under {@code dbPrefix}, its
   * column families' under {@link #PREFIX}. {@code database} is asked at every read, since
   * installing a snapshot replaces the state database.
   */
  public static void register(MetricRegistry registry, String dbPrefix, Supplier<RocksDatabase> database) {
    DB_WIDE.forEach((name, property) -> registry.registerGauge(MetricRegistry.name(dbPrefix, name),
        () -> read(database, db -> db.property(null, property))));
    for (String cf : database.get().familyNames()) {
      PER_COLUMN_FAMILY.forEach((name, property) -> registry.registerGauge(MetricRegistry.name(PREFIX, cf, name),
          () -> read(database, db -> db.property(cf, property))));
      registry.registerGauge(MetricRegistry.name(PREFIX, cf, SST_FILES), () -> read(database, db -> db.sstFiles(cf)));
    }
  }

  /** The value, or null (which the exporters leave out) when RocksDB does not answer, e.g. once closed. */
  private static Long read(Supplier<RocksDatabase> database, Read read) {
    try {
      RocksDatabase db = database.get();
      return db == null ? null : read.value(db);
    } catch (RocksDBException | IllegalStateException e) {
      return null;
    }
  }
}
