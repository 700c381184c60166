package io.rocksraft.raftlog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RocksDB directory opened with named column families; it owns the handles and options
 * (not the block cache, which the node's databases share). Statistics reads are guarded
 * against close: a RocksDB call on a closed handle crashes the JVM.
 */
public final class RocksDatabase implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private static final Logger LOG = LoggerFactory.getLogger(RocksDatabase.class);

  private final Path dir;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions cfOptions;
  private final List<ColumnFamilyHandle> handles;
  /** The named column families (not {@code default}), in the order they were asked for. */
  private final Map<String, ColumnFamilyHandle> families;
  private final RocksDB db;
  private final Object closeLock = new Object();
  private boolean closed;

  private RocksDatabase(Path dir, DBOptions dbOptions, ColumnFamilyOptions cfOptions, RocksDB db,
                        List<ColumnFamilyHandle> handles, List<String> names) {
    this.dir = dir;
    this.dbOptions = dbOptions;
    this.cfOptions = cfOptions;
    this.db = db;
    this.handles = handles;
    Map<String, ColumnFamilyHandle> byName = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      byName.put(names.get(i), handles.get(i + 1));
    }
    this.families = byName;
  }

  /**
   * Opens the database in {@code dir}, creating it and any missing column family. Its blocks
   * (index and filter blocks too) and memtables count against {@code memory}, which the node's
   * databases share.
   */
  public static RocksDatabase open(Path dir, List<String> columnFamilies, RocksMemory memory) throws IOException {
    Files.createDirectories(dir);
    DBOptions dbOptions = new DBOptions()
        .setCreateIfMissing(true)
        .setCreateMissingColumnFamilies(true)
        .setMaxBackgroundJobs(2)
        .setWriteBufferManager(memory.writeBuffers());
    ColumnFamilyOptions cfOptions = new ColumnFamilyOptions()
        // RocksDB's default memtable (64 MiB per column family) could alone exceed the budget.
        .setWriteBufferSize(memory.memtableBytes())
        .setTableFormatConfig(new BlockBasedTableConfig()
            .setBlockCache(memory.cache())
            // Every write reads its key's previous state first: most keys in most files are
            // absent, and a Bloom filter answers that without reading a data block.
            .setFilterPolicy(new BloomFilter(10))
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true));
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
    for (String name : columnFamilies) {
      descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      LOG.info("opened RocksDB at {}", dir);
      return new RocksDatabase(dir, dbOptions, cfOptions, db, handles, List.copyOf(columnFamilies));
    } catch (RocksDBException e) {
      cfOptions.close();
      dbOptions.close();
      throw new IOException("cannot open RocksDB at " + dir + ": " + e.getMessage(), e);
    }
  }

  public RocksDB db() {
    return db;
  }

  public Path dir() {
    return dir;
  }

  public ColumnFamilyHandle family(String name) {
    return Objects.requireNonNull(families.get(name), () -> "no column family " + name + " in " + dir);
  }

  /** The named column families, in the order they were opened. */
  public Set<String> familyNames() {
    return families.keySet();
  }

  /**
   * A numeric RocksDB property ({@code rocksdb.*}) of one column family, or of the whole DB
   * when {@code family} is null.
   *
   * @throws IllegalStateException once the database is closed
   */
  public long property(String family, String name) throws RocksDBException {
    return whileOpen(() -> family == null ? db.getLongProperty(name) : db.getLongProperty(family(family), name));
  }

  /** The number of live SST files of a column family (no integer property gives it). */
  public long sstFiles(String family) throws RocksDBException {
    return whileOpen(() -> db.getColumnFamilyMetaData(family(family)).fileCount());
  }

  /** A read that must not overlap {@link #close}, for threads that do not otherwise stop before it. */
  public interface Read<T> {
    T read() throws RocksDBException;
  }

  /**
   * Runs {@code read} with the database held open.
   *
   * @throws IllegalStateException once the database is closed
   */
  public <T> T whileOpen(Read<T> read) throws RocksDBException {
    synchronized (closeLock) {
      if (closed) {
        throw new IllegalStateException("RocksDB at " + dir + " is closed");
      }
      return read.read();
    }
  }

  /** Syncs the WAL and closes: nothing written before close is lost. */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      db.syncWal();
    } catch (RocksDBException e) {
      LOG.warn("WAL sync on close of {} failed: {}", dir, e.getMessage());
    }
    handles.forEach(ColumnFamilyHandle::close);
    db.close();
    cfOptions.close();
    dbOptions.close();
    LOG.info("closed RocksDB at {}", dir);
  }
}
