package io.rocksraft.server.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one RocksDB: column family {@code raft_log} (Raft entry payloads), {@code kv}
 * (the user's keys), {@code meta} (applied index, revision, exactly-once sessions, member
 * addresses) and {@code history} (recent changes, for watches).
 */
public final class StateStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
  public static final String RAFT_LOG = "raft_log";
  public static final String KV = "kv";
  public static final String META = "meta";
  public static final String HISTORY = "history";

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final LRUCache blockCache;
  private final List<ColumnFamilyHandle> handles = new ArrayList<>();
  private final RocksDB db;
  /** Guards property reads against close: a property read on a closed RocksDB crashes the JVM. */
  private final Object closeLock = new Object();
  private boolean closed;

  public StateStore(Path dir, long blockCacheBytes) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
    blockCache = new LRUCache(blockCacheBytes);
    dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2);
    cfOptions = new ColumnFamilyOptions()
        .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache));
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String name : List.of(RAFT_LOG, KV, META, HISTORY)) {
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
    }
    try {
      db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
    } catch (RocksDBException e) {
      throw new IOException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
    }
    LOG.info("opened RocksDB at {}", dir);
  }

  public RocksDB db() {
    return db;
  }

  public ColumnFamilyHandle raftLog() {
    return handles.get(1);
  }

  public ColumnFamilyHandle kv() {
    return handles.get(2);
  }

  public ColumnFamilyHandle meta() {
    return handles.get(3);
  }

  /** Recent changes by revision, for watches. */
  public ColumnFamilyHandle history() {
    return handles.get(4);
  }

  public Path dir() {
    return dir;
  }

  /** The column families by name, for per-family statistics. */
  public Map<String, ColumnFamilyHandle> columnFamilies() {
    return Map.of(RAFT_LOG, raftLog(), KV, kv(), META, meta(), HISTORY, history());
  }

  /**
   * A numeric RocksDB property ({@code rocksdb.*}) of one column family, or of the whole DB
   * when {@code cf} is null.
   *
   * @throws IllegalStateException once the store is closed
   */
  public long property(ColumnFamilyHandle cf, String name) throws RocksDBException {
    synchronized (closeLock) {
      ensureOpen();
      return cf == null ? db.getLongProperty(name) : db.getLongProperty(cf, name);
    }
  }

  /** The number of live SST files of a column family (no integer property gives it). */
  public long sstFiles(ColumnFamilyHandle cf) {
    synchronized (closeLock) {
      ensureOpen();
      return db.getColumnFamilyMetaData(cf).fileCount();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("RocksDB at " + dir + " is closed");
    }
  }

  /** Syncs the WAL and closes: nothing written before close is lost. */
  @Override
  public void close() {
    synchronized (closeLock) {
      closed = true;
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      LOG.warn("WAL sync on close failed: {}", e.getMessage());
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    cfOptions.close();
    dbOptions.close();
    blockCache.close();
    LOG.info("closed RocksDB at {}", dir);
  }
}
